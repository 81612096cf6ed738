import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { RETENTION_QUEUE } from '../common/queues';
import { RetentionProcessor } from './retention.processor';
import { RetentionModule } from './retention.module';

/** The retention schedule and its processor, imported only by the worker. */
@Module({
  imports: [RetentionModule, BullModule.registerQueue({ name: RETENTION_QUEUE })],
  providers: [RetentionProcessor],
})
export class RetentionWorkerModule {}

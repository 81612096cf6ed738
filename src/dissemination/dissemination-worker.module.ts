import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DISSEMINATION_QUEUE } from '../common/queues';
import { DeliveryService } from './delivery.service';
import { DisseminationProcessor } from './dissemination.processor';

/** The consumer side of dissemination, imported only by the worker (src/worker.module.ts). */
@Module({
  imports: [AuditModule, BullModule.registerQueue({ name: DISSEMINATION_QUEUE })],
  providers: [DeliveryService, DisseminationProcessor],
  exports: [DeliveryService],
})
export class DisseminationWorkerModule {}

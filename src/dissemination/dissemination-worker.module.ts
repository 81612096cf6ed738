import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { DeliveryService } from './delivery.service';
import { DisseminationProcessor } from './dissemination.processor';
import { DISSEMINATION_QUEUE } from './queue';

/** The consumer side, imported only by src/worker.ts. */
@Module({
  imports: [
    AuditModule,
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        prefix: config.QUEUE_PREFIX,
        // Workers block on Redis and must wait through outages rather than fail requests.
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
      }),
    }),
    BullModule.registerQueue({ name: DISSEMINATION_QUEUE }),
  ],
  providers: [DeliveryService, DisseminationProcessor],
  exports: [DeliveryService],
})
export class DisseminationWorkerModule {}

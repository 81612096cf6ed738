import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { OutboxService } from './outbox.service';
import { DISSEMINATION_QUEUE } from './queue';
import { RelayService } from './relay.service';

/**
 * The producer side, for the API process: the outbox written with publications and the relay that
 * moves it into the queue. Its Redis connection fails fast (no offline queue), so a Redis outage
 * never holds up a request.
 */
@Module({
  imports: [
    AuditModule,
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        prefix: config.QUEUE_PREFIX,
        connection: { url: config.REDIS_URL, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 },
      }),
    }),
    BullModule.registerQueue({ name: DISSEMINATION_QUEUE }),
  ],
  providers: [OutboxService, RelayService],
  exports: [OutboxService, RelayService, BullModule],
})
export class OutboxModule {}

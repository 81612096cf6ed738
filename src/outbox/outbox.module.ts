import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueueErrorLogger } from '../common/queue-errors';
import { DISSEMINATION_QUEUE, producerQueueOptions, RETENTION_QUEUE } from '../common/queues';
import { AppConfig } from '../config/app-config';
import { OutboxService } from './outbox.service';
import { RelayService } from './relay.service';

/**
 * The producer side, for the API process: the outbox written with publications and the relay that
 * moves it into the queue.
 */
@Module({
  imports: [
    AuditModule,
    BullModule.forRootAsync({ inject: [AppConfig], useFactory: producerQueueOptions }),
    // The retention queue is registered here only so the queue dashboard can show it.
    BullModule.registerQueue({ name: DISSEMINATION_QUEUE }, { name: RETENTION_QUEUE }),
  ],
  providers: [OutboxService, RelayService, QueueErrorLogger],
  exports: [OutboxService, RelayService, BullModule],
})
export class OutboxModule {}

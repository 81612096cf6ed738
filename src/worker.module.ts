import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit/audit.module';
import { AuditAnchorWorkerModule } from './audit/audit-anchor-worker.module';
import { loggerOptions } from './common/logging';
import { QueueErrorLogger } from './common/queue-errors';
import { workerQueueOptions } from './common/queues';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { DisseminationWorkerModule } from './dissemination/dissemination-worker.module';
import { RetentionWorkerModule } from './retention/retention-worker.module';

/**
 * The worker process: queue processors and schedulers only, no HTTP. It delivers disseminations,
 * runs the retention schedule and keeps the audit chain moving.
 */
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerOptions }),
    TypeOrmModule.forRootAsync({ inject: [AppConfig], useFactory: dataSourceOptions }),
    BullModule.forRootAsync({ inject: [AppConfig], useFactory: workerQueueOptions }),
    AuditModule,
    DisseminationWorkerModule,
    RetentionWorkerModule,
    AuditAnchorWorkerModule,
  ],
  providers: [QueueErrorLogger],
})
export class WorkerModule {}

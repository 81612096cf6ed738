import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit/audit.module';
import { loggerOptions } from './common/logging';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';

/**
 * The worker process: queue processors and schedulers only, no HTTP. (Dissemination and retention
 * processors join here with their issues; for now it keeps the audit chain moving.)
 */
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerOptions }),
    TypeOrmModule.forRootAsync({ inject: [AppConfig], useFactory: dataSourceOptions }),
    AuditModule,
  ],
})
export class WorkerModule {}

import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AccessModule } from './access/access.module';
import { AgenciesModule } from './agencies/agencies.module';
import { AssessmentsModule } from './assessments/assessments.module';
import { AuditModule } from './audit/audit.module';
import { AccessGuard } from './auth/access.guard';
import { AuthModule } from './auth/auth.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { loggerOptions } from './common/logging';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CorrelationModule } from './correlation/correlation.module';
import { dataSourceOptions } from './database/data-source';
import { DisseminationModule } from './dissemination/dissemination.module';
import { HealthModule } from './health/health.module';
import { ReportsModule } from './reports/reports.module';
import { RetentionModule } from './retention/retention.module';
import { ThreatLevelModule } from './threat-level/threat-level.module';
import { UsersModule } from './users/users.module';
import { AdminChangesModule } from './admin-changes/admin-changes.module';

@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerOptions }),
    TypeOrmModule.forRootAsync({ inject: [AppConfig], useFactory: dataSourceOptions }),
    AccessModule,
    AuditModule,
    AuthModule,
    AgenciesModule,
    UsersModule,
    AdminChangesModule,
    ReportsModule,
    CorrelationModule,
    AssessmentsModule,
    ThreatLevelModule,
    DisseminationModule,
    RetentionModule,
    BootstrapModule,
    HealthModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {}

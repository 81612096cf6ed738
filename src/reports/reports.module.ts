import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgenciesModule } from '../agencies/agencies.module';
import { AuditModule } from '../audit/audit.module';
import { IdempotencyKey } from './idempotency-key.entity';
import { ReportEntityValue } from './report-entity-value.entity';
import { Report } from './report.entity';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({
  imports: [TypeOrmModule.forFeature([Report, ReportEntityValue, IdempotencyKey]), AuditModule, AgenciesModule],
  controllers: [ReportsController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}

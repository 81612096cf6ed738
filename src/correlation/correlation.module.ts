import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ReportsModule } from '../reports/reports.module';
import { CorrelationController } from './correlation.controller';
import { CorrelationService } from './correlation.service';

@Module({
  imports: [ReportsModule, AuditModule],
  controllers: [CorrelationController],
  providers: [CorrelationService],
})
export class CorrelationModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent, AuditPending } from './audit-event.entity';
import { AuditChainer } from './audit-chainer';
import { AuditController } from './audit.controller';
import { AuditReceiptService } from './audit-receipt.service';
import { AuditService } from './audit.service';
import { AuditWriter } from './audit-writer';

/** The audit log: writer (for every service), chainer (runs in each process that imports this), auditor API. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent, AuditPending])],
  controllers: [AuditController],
  providers: [AuditWriter, AuditChainer, AuditService, AuditReceiptService],
  exports: [AuditWriter, AuditService, AuditReceiptService],
})
export class AuditModule {}

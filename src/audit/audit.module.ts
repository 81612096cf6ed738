import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent, AuditPending } from './audit-event.entity';
import { AuditController } from './audit.controller';
import { AuditReceiptService } from './audit-receipt.service';
import { AuditService } from './audit.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent, AuditPending])],
  controllers: [AuditController],
  providers: [AuditService, AuditReceiptService],
  exports: [AuditService, AuditReceiptService],
})
export class AuditModule {}

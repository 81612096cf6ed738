import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AUDIT_ANCHOR_QUEUE } from '../common/queues';
import { AuditAnchorProcessor } from './audit-anchor.processor';
import { AuditAnchorService } from './audit-anchor.service';
import { AuditModule } from './audit.module';

/** Anchoring signed head receipts with a witness outside the cell: imported only by the worker. */
@Module({
  imports: [AuditModule, BullModule.registerQueue({ name: AUDIT_ANCHOR_QUEUE })],
  providers: [AuditAnchorService, AuditAnchorProcessor],
  exports: [AuditAnchorService],
})
export class AuditAnchorWorkerModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DisseminationController } from './dissemination.controller';
import { DisseminationService } from './dissemination.service';
import { OutboxModule } from '../outbox/outbox.module';

/** API side of dissemination: status, redrive, inbox and acknowledgement. */
@Module({
  imports: [OutboxModule, AuditModule],
  controllers: [DisseminationController],
  providers: [DisseminationService],
})
export class DisseminationModule {}

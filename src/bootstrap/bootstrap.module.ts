import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ThreatLevelModule } from '../threat-level/threat-level.module';
import { UsersModule } from '../users/users.module';
import { BootstrapService } from './bootstrap.service';

/** First start of the API on an empty database: the initial threat level, the FUSION agency and its admin. */
@Module({
  imports: [AuditModule, ThreatLevelModule, UsersModule],
  providers: [BootstrapService],
})
export class BootstrapModule {}

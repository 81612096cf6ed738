import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ThreatLevelChange } from './threat-level-change.entity';
import { ThreatLevelController } from './threat-level.controller';
import { ThreatLevelService } from './threat-level.service';

@Module({
  imports: [TypeOrmModule.forFeature([ThreatLevelChange]), AuditModule, OutboxModule],
  controllers: [ThreatLevelController],
  providers: [ThreatLevelService],
  exports: [ThreatLevelService],
})
export class ThreatLevelModule {}

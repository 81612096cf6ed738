import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgenciesModule } from '../agencies/agencies.module';
import { AuditModule } from '../audit/audit.module';
import { OutboxModule } from '../outbox/outbox.module';
import { UsersModule } from '../users/users.module';
import { AdminChange } from '../four-eyes/admin-change.entity';
import { AdminChangesController } from './admin-changes.controller';
import { AdminChangesService } from './admin-changes.service';

/** Four eyes on administration (SPEC S1): the changes waiting for a second ADMIN, approved or rejected. */
@Module({
  imports: [TypeOrmModule.forFeature([AdminChange]), AuditModule, OutboxModule, UsersModule, AgenciesModule],
  controllers: [AdminChangesController],
  providers: [AdminChangesService],
})
export class AdminChangesModule {}

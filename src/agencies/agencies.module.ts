import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { FourEyes } from '../four-eyes/four-eyes';
import { AgenciesController } from './agencies.controller';
import { AgenciesService } from './agencies.service';
import { Agency } from './agency.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Agency]), AuditModule],
  controllers: [AgenciesController],
  providers: [AgenciesService, FourEyes],
  exports: [AgenciesService],
})
export class AgenciesModule {}

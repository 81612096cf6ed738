import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { FourEyes } from './four-eyes';

/** The request half of the four-eyes rule, for the services that make sensitive changes (users, agencies). */
@Module({
  imports: [AuditModule],
  providers: [FourEyes],
  exports: [FourEyes],
})
export class FourEyesModule {}

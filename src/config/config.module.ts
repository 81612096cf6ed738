import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig, loadConfig } from './app-config';

/** The validated configuration and the clock, available everywhere. */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: (): AppConfig => loadConfig() }, Clock],
  exports: [AppConfig, Clock],
})
export class ConfigModule {}

import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { AppConfig, loadConfig } from './app-config';

/** The validated configuration (read from the environment) and the clock, available everywhere. */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: (): AppConfig => loadConfig() }, Clock],
  exports: [AppConfig, Clock],
})
export class ConfigModule {}

/** The same, for a configuration already loaded (tools that launch the app, such as the demo's seeding). */
@Global()
@Module({})
export class GivenConfigModule {
  static of(config: AppConfig): DynamicModule {
    return { module: GivenConfigModule, providers: [{ provide: AppConfig, useValue: config }, Clock], exports: [AppConfig, Clock] };
  }
}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createAdapter } from './app.setup';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const { TRUSTED_PROXIES } = loadConfig(); // fail fast, before anything connects, naming every bad value
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(TRUSTED_PROXIES), { bufferLogs: true, bodyParser: false });
  await configureApp(app);
  const config = app.get(AppConfig);
  await app.listen({ port: config.PORT, host: '0.0.0.0' });
  if (config.ephemeralJwtSecret) {
    process.stderr.write('JWT_SECRET is not set: using a random secret; tokens will not survive a restart.\n');
  }
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source';

/**
 * Runs pending migrations with the compiled code (`node dist/database/migrate.js`): what the
 * one-shot container and the demo use, where the TypeORM CLI and ts-node are not installed.
 */
async function migrate(): Promise<void> {
  const ds = new DataSource(dataSourceOptions(loadConfig()));
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    process.stdout.write(`migrations: ${done.length ? done.map((m) => m.name).join(', ') : 'none pending'}\n`);
  } finally {
    await ds.destroy();
  }
}

migrate().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

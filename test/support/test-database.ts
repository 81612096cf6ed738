import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source';
import { serverUrl } from './test-env';

/** Creates an empty database and runs the real migrations on it (never `synchronize`). Returns its URL. */
export async function createMigratedDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: serverUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = serverUrl(name);
  const ds = new DataSource({ ...dataSourceOptions(loadConfig({ ...process.env, DATABASE_URL: url })), logging: false, logger: undefined });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return url;
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl('postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

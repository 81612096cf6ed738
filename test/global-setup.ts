import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source';
import { serverUrl, TEST_ENV } from './support/env';

/**
 * Every test run gets its own throwaway database on the machine's PostgreSQL, built by the real
 * migrations (never `synchronize`), and dropped by global-teardown.ts.
 */
export default async function globalSetup(): Promise<void> {
  const name = `fusion_test_${Date.now()}_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  Object.assign(process.env, TEST_ENV, { DATABASE_URL: serverUrl(name), FUSION_TEST_DB: name });
  const ds = new DataSource({ ...dataSourceOptions(loadConfig()), logging: ['error'] });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
}

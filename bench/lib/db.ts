import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source';
import { dbUrl, settings } from './config';

/** The approach of test/support/test-database.ts: CREATE DATABASE, then the real migrations (never synchronize). */
export async function createMigratedDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = dbUrl(name);
  const ds = await typeormDataSource(url);
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  return url;
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** The product's own DataSource definition (entities, migrations), pointed at the bench database. */
export async function typeormDataSource(url: string, poolMax = 4): Promise<DataSource> {
  const base = dataSourceOptions(loadConfig({ ...process.env, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), AUDIT_SIGNING_KEY: Buffer.alloc(32).toString('base64'), DATABASE_URL: url }));
  const ds = new DataSource({ ...base, logging: false, logger: undefined, extra: { ...(base.extra as object), max: poolMax } });
  await ds.initialize();
  return ds;
}

export function pool(url: string, max: number): Pool {
  return new Pool({ connectionString: url, max, application_name: 'fusion-bench' });
}

/** Server facts for RESULTS.md. */
export async function serverFacts(url: string): Promise<Record<string, string>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, string> = {};
    out.version = ((await c.query<{ v: string }>('SELECT version() AS v')).rows[0]).v;
    for (const s of ['fsync', 'synchronous_commit', 'shared_buffers', 'work_mem', 'max_connections', 'random_page_cost', 'effective_cache_size']) {
      out[s] = ((await c.query<Record<string, string>>(`SHOW ${s}`)).rows[0])[s];
    }
    return out;
  } finally {
    await c.end();
  }
}

export { settings };

import { Client } from 'pg';
import { serverUrl } from './support/env';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.FUSION_TEST_DB;
  if (!name || process.env.KEEP_TEST_DB) return;
  const admin = new Client({ connectionString: serverUrl('postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

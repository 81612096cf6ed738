import { createMigratedDatabase } from './support/test-database';
import { TEST_ENV } from './support/test-env';

/**
 * Every test run gets its own throwaway database on the machine's PostgreSQL, built by the real
 * migrations, and dropped by global-teardown.ts. Workers inherit the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  const name = `fusion_test_${Date.now()}_${process.pid}`;
  Object.assign(process.env, TEST_ENV, { FUSION_TEST_DB: name });
  process.env.DATABASE_URL = await createMigratedDatabase(name);
}

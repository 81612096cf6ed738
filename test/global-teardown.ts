import { dropDatabase } from './support/db';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.FUSION_TEST_DB;
  if (name && !process.env.KEEP_TEST_DB) await dropDatabase(name);
}

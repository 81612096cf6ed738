import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source';

/**
 * For a spec that writes to the real database directly: one connection, and one transaction rolled
 * back after the spec (registered as its beforeAll / afterAll). Nothing is left behind, and the e2e
 * suites sharing the database never see these rows — in particular a committed user, whose presence
 * would stop the app's first-run bootstrap (it only creates `admin` on an empty users table).
 */
export function rolledBack(): { readonly manager: EntityManager } {
  let ds: DataSource | undefined;
  let tx: QueryRunner | undefined;
  beforeAll(async () => {
    ds = new DataSource({ ...dataSourceOptions(loadConfig()), logging: ['error'] });
    await ds.initialize();
    tx = ds.createQueryRunner();
    await tx.connect();
    await tx.startTransaction();
  });
  afterAll(async () => {
    if (tx?.isTransactionActive) await tx.rollbackTransaction();
    await tx?.release();
    await ds?.destroy();
  });
  return {
    get manager(): EntityManager {
      if (!tx) throw new Error('rolledBack: the manager is there from beforeAll on');
      return tx.manager;
    },
  };
}

import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source';
import { RenormaliseEntities1796100000000 } from '../src/database/migrations/1796100000000-RenormaliseEntities';
import { createMigratedDatabase, dropDatabase } from './support/test-database';

/** On a database of its own: `down` rewrites every non-ASCII key, which would disturb the suites sharing theirs. */
describe('migration RenormaliseEntities1796100000000', () => {
  const dbName = `fusion_renormalise_${Date.now()}_${process.pid}`;
  let ds: DataSource;

  beforeAll(async () => {
    const url = await createMigratedDatabase(dbName);
    ds = new DataSource({ ...dataSourceOptions(loadConfig({ ...process.env, DATABASE_URL: url })), logging: false, logger: undefined });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(dbName);
  });

  it('re-keys the entities stored before S1 under the new rules, keeps a key the new rules would refuse, and down restores them', async () => {
    // Rows as stage 1 stored them: the value as sent, the key it made.
    const old: [string, string, string][] = [
      ['VEHICLE', '\u0410\u041212 CDE', '12CDE'],
      ['PHONE', '+44 7700 ９００１２３', '+447700'],
      ['PERSON', 'John\u200bSmith', 'john\u200bsmith'],
      ['EMAIL', '\u0430lice@example.org', '\u0430lice@example.org'],
      ['DOMAIN', 'xn--pypal-4ve.com', 'xn--pypal-4ve.com'],
      ['VEHICLE', 'AB12★Ж', 'AB12'], // refused now (★): keeps its key
      ['VEHICLE', 'ab 12 $', 'AB12'], // ASCII: never a candidate
    ];
    const q = ds.createQueryRunner();
    try {
      await q.query(`SET session_replication_role = replica`); // no report rows needed behind the entities (superuser only)
      const reportId = randomUUID();
      for (const [type, value, key] of old) {
        await q.query(`INSERT INTO report_entity (report_id, type, value, normalized) VALUES ($1, $2, $3, $4)`, [reportId, type, value, key]);
      }
      await q.query(`SET session_replication_role = origin`);
      const keys = async () => ((await q.query(`SELECT value, normalized FROM report_entity ORDER BY value`)) as { value: string; normalized: string }[]).map((e) => [e.value, e.normalized]);
      const byValue = (rows: string[][]) => [...rows].sort((a, b) => (a[0] < b[0] ? -1 : 1));

      const migration = new RenormaliseEntities1796100000000();
      await migration.up(q);
      expect(byValue(await keys())).toEqual(
        byValue([
          [old[0][1], 'AB12CDE'],
          [old[1][1], '+447700900123'],
          [old[2][1], 'john smith'],
          [old[3][1], 'alice@example.org'],
          [old[4][1], 'paypal.com'],
          [old[5][1], old[5][2]],
          [old[6][1], old[6][2]],
        ]),
      );
      await migration.down(q);
      expect(byValue(await keys())).toEqual(byValue(old.map(([, value, key]) => [value, key])));
    } finally {
      await q.release();
    }
  });
});

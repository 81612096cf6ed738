import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source';
import { BROAD_SEARCH_WORK, isBroadSearch } from '../src/reports/list/access-keys';
import { createMigratedDatabase, dropDatabase } from './support/test-database';

/**
 * A text search is broad when PostgreSQL's statistics expect matches × share ≥ BROAD_SEARCH_WORK: the
 * planner's estimates decide, on a database of its own with known word frequencies (2,000 reports, so
 * the bar is scaled down to 100 for the cases; at the real bar nothing this small is broad).
 */
describe('isBroadSearch: the planner’s estimate of how many reports a search matches', () => {
  const dbName = `fusion_breadth_${Date.now()}_${process.pid}`;
  let ds: DataSource;

  beforeAll(async () => {
    const url = await createMigratedDatabase(dbName);
    ds = new DataSource({ ...dataSourceOptions(loadConfig({ ...process.env, DATABASE_URL: url })), logging: false, logger: undefined });
    await ds.initialize();
    const [agency] = await ds.query<{ id: string }[]>(`INSERT INTO agency (code, name, kind, accreditation) VALUES ('BRD', 'Breadth', 'POLICE', 'SECRET') RETURNING id`);
    const [user] = await ds.query<{ id: string }[]>(
      `INSERT INTO app_user (username, password_hash, agency_id, roles, clearance) VALUES ('breadth', 'not a hash', $1, '{OFFICER}', 'SECRET') RETURNING id`,
      [agency.id],
    );
    // 2,000 reports: "harbour" in half of them, "tanker" in 5 %, "lighthouse" in one.
    await ds.query(
      `INSERT INTO report (agency_id, created_by, title, narrative, category, occurred_at, source_reliability, information_credibility,
                           classification, compartments, tlp, releasable_to, suspicion_basis, review_due_at, created_at)
       SELECT $1, $2, 'Report ' || g,
              concat_ws(' ', 'Seen', CASE WHEN g % 2 = 0 THEN 'harbour' END, CASE WHEN g % 20 = 0 THEN 'tanker' END, CASE WHEN g = 7 THEN 'lighthouse' END, 'today'),
              'OTHER', now(), 'C', 3, 'RESTRICTED', '{}', 'GREEN', '{}', 'breadth test', now() + interval '1 day', now()
         FROM generate_series(1, 2000) g`,
      [agency.id, user.id],
    );
    await ds.query(`ANALYZE report`);
  }, 60_000);

  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(dbName);
  });

  it('is broad when matches × share reaches the bar, as the statistics estimate them', async () => {
    const broad = (q: string) => isBroadSearch(ds, q, 100);
    expect(await broad('harbour')).toBe(true); // 1,000 × 50 % = 500
    expect(await broad('harbours')).toBe(true); // the same stem
    expect(await broad('tanker or lighthouse or harbour')).toBe(true);
    expect(await broad('tanker')).toBe(false); // 100 × 5 % = 5
    expect(await broad('lighthouse')).toBe(false); // one report
    expect(await broad('nowhere')).toBe(false); // none
    expect(await broad('harbour lighthouse')).toBe(false); // AND: at most one report
  });

  it(`at the real bar (${BROAD_SEARCH_WORK.toLocaleString('en')}) a table this small never has a broad search: its key look-ups are cheap`, async () => {
    expect(await isBroadSearch(ds, 'harbour')).toBe(false);
    expect(await isBroadSearch(ds, 'harbour or tanker or today or seen')).toBe(false);
  });

  it('answers, without an error, for a query with no searchable word and for hostile text', async () => {
    for (const q of ['the', '"', '-', "'); DROP TABLE report; --", '\\', ' or ', '!!!']) {
      await expect(isBroadSearch(ds, q)).resolves.toEqual(expect.any(Boolean));
    }
  });
});

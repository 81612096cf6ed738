import { TestApp, uniq } from './support/test-app';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

/** An over-common value (a hotline, a common name) is not correlated, and counting it stops at the limit. */
describe('correlation limit', () => {
  let t: TestApp;
  let officer: Actor;
  let analyst: Actor;
  let auditor: Actor;

  beforeAll(async () => {
    process.env.CORRELATION_LIMIT = '5';
    t = await TestApp.start();
    const fx = new Fixtures(t);
    officer = await fx.user(await fx.agency('POLICE'), ['OFFICER'], 'SECRET');
    analyst = await fx.user(await fx.fusionCell(), ['ANALYST'], 'SECRET');
    auditor = await fx.user(await fx.fusionCell(), ['AUDITOR']);
  });
  afterAll(() => t.close());

  it('reports a value held by more reports than CORRELATION_LIMIT as over-common, counted only up to limit + 1', async () => {
    const hotline = `0800 ${uniq().slice(0, 6).replace(/\D/g, '7')}00`;
    const rare = `rare-${uniq().toLowerCase()}@example.org`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const entities = [{ type: 'PHONE', value: hotline }];
      if (i < 2) entities.push({ type: 'EMAIL', value: rare });
      const res = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ entities }) });
      ids.push(res.body.id);
    }
    const res = await t.get(`/api/v1/reports/${ids[0]}/correlations`, { token: analyst.token });
    expect(res.status).toBe(200);
    // 7 reports hold the hotline; the count stopped at 6 = limit + 1, so it was not all scanned.
    expect(res.body.overCommon).toEqual([{ type: 'PHONE', value: hotline.replace(/\D/g, ''), count: 6 }]);
    // Only the rare value correlates.
    expect(res.body.items).toEqual([{ reportId: ids[1], sharedEntities: [{ type: 'EMAIL', value: rare }], sharedEntityCount: 1 }]);

    const search = await t.get('/api/v1/entities/search', { token: analyst.token, query: { type: 'PHONE', value: hotline } });
    expect(search.body.truncated).toBe(true);
    expect(search.body.items).toHaveLength(5);
    // AUDITOR and ADMIN learn nothing from the search, not even that the value is over-common.
    const asAuditor = await t.get('/api/v1/entities/search', { token: auditor.token, query: { type: 'PHONE', value: hotline } });
    expect(asAuditor.body).toEqual({ items: [], nextCursor: null, hiddenMatches: [], truncated: false });
  });

  it('looks the value up through the index, bounded by LIMIT, never a scan of the entity table', async () => {
    const plan = await t.ds.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off'); // tiny test tables would otherwise always be scanned
      return m.query(
        `EXPLAIN (FORMAT JSON) SELECT count(*) FROM (SELECT 1 FROM report_entity e WHERE e.type = $1 AND e.normalized = $2 LIMIT 6) b`,
        ['PHONE', '+447700900123'],
      );
    });
    const text = JSON.stringify(plan);
    expect(text).toContain('"Node Type":"Limit"');
    expect(text).toMatch(/"Index Name":"report_entity_lookup_idx"/);
    expect(text).not.toContain('Seq Scan');
  });
});

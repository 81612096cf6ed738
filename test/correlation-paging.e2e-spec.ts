import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

interface Correlation {
  reportId: string;
  sharedEntities: { type: string; value: string }[];
  sharedEntityCount: number;
}

/**
 * Bounded fan-out (issue 18 item 8, SPEC S1): correlations and the entity search are paged (`limit`,
 * `cursor`), every correlated readable report comes back exactly once over the pages and no unreadable
 * one, the per-agency pointers are counted once (first page) over the whole result, a page's size does
 * not grow with how many entities are shared, and each page's audit event names that page's ids.
 */
describe('paged correlations and entity search', () => {
  let t: TestApp;
  let fx: Fixtures;
  let police: AgencyRef, customs: AgencyRef;
  let officer: Actor, customsOfficer: Actor, analyst: Actor;
  // Values of this run only (the suites share one database).
  const tag = uniq().toLowerCase();
  const names = Array.from({ length: 5 }, (_, i) => `${tag} person ${String.fromCharCode(97 + i)}`);
  let origin: string;
  /** The 1,000 correlated reports, by who may read them (as the police officer). */
  const readable: string[] = [];
  const hidden: string[] = [];

  const submit = async (who: Actor, overrides: Record<string, unknown>): Promise<string> => {
    const res = await t.post('/api/v1/reports', { token: who.token, body: reportBody(overrides) });
    if (res.status !== 201) throw new Error(`report → ${res.status} ${res.text}`);
    return res.body.id as string;
  };
  const person = (value: string) => ({ type: 'PERSON', value });

  beforeAll(async () => {
    // 1,001 reports hold the first name: above the default CORRELATION_LIMIT (1,000) it would be over-common.
    process.env.CORRELATION_LIMIT = '2000';
    t = await TestApp.start();
    fx = new Fixtures(t);
    [police, customs] = await Promise.all([fx.agency('POLICE'), fx.agency('CUSTOMS')]);
    officer = await fx.user(police, ['OFFICER'], 'SECRET');
    customsOfficer = await fx.user(customs, ['OFFICER'], 'SECRET');
    analyst = await fx.user(await fx.fusionCell(), ['ANALYST'], 'SECRET');
    origin = await submit(officer, { entities: names.map(person) });
    // 1,000 correlated reports: 800 the officer's own, 50 of customs' community-wide (GREEN), 150 of
    // customs' AMBER that the officer may not read. Each shares names[0] and a few of the others.
    const plan = Array.from({ length: 1000 }, (_, i) => ({
      who: i % 20 < 16 ? officer : customsOfficer,
      tlp: i % 20 < 16 ? 'AMBER' : i % 20 === 16 ? 'GREEN' : 'AMBER',
      entities: names.filter((_, k) => k === 0 || (i + k) % 3 === 0).map(person),
    }));
    for (let i = 0; i < plan.length; i += 25) {
      const ids = await Promise.all(plan.slice(i, i + 25).map((p) => submit(p.who, { tlp: p.tlp, entities: p.entities })));
      ids.forEach((id, k) => {
        const p = plan[i + k];
        (p.who === officer || p.tlp === 'GREEN' ? readable : hidden).push(id);
      });
    }
  }, 300_000);
  afterAll(async () => {
    delete process.env.CORRELATION_LIMIT;
    await t.close();
  });

  it('pages through 1,000 correlated reports: every readable one exactly once, no unreadable one, pointers on the first page only', async () => {
    const { items, pages } = await t.allPages<Correlation>(`/api/v1/reports/${origin}/correlations`, officer.token, { limit: '50' });
    const ids = items.map((i) => i.reportId);
    expect(ids.length).toBe(readable.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...readable].sort());
    expect(pages.length).toBe(Math.ceil(readable.length / 50));
    expect(pages.every((p) => p.body.items.length <= 50)).toBe(true);
    for (const h of hidden) expect(pages.some((p) => p.text.includes(h))).toBe(false);
    // Counted once, over the whole correlation, never per page: concatenated, the pages give the totals.
    expect(pages[0].body).toMatchObject({ hiddenMatches: [{ agencyCode: customs.code, count: hidden.length }] });
    expect(pages.slice(1).every((p) => (p.body as unknown as { hiddenMatches: unknown[] }).hiddenMatches.length === 0)).toBe(true);
    // Each item says what it shares with the origin.
    const first = items[0];
    expect(first.sharedEntities.length).toBe(first.sharedEntityCount);
    expect(first.sharedEntities).toContainEqual({ type: 'PERSON', value: names[0] });
  });

  it('keeps its keyset stable while correlated reports are filed between pages: no report twice, none of the first skipped', async () => {
    const seen: string[] = [];
    const added: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.get(`/api/v1/reports/${origin}/correlations`, { token: officer.token, query: { limit: '200', ...(cursor ? { cursor } : {}) } });
      expect(res.status).toBe(200);
      seen.push(...(res.body.items as Correlation[]).map((i) => i.reportId));
      cursor = res.body.nextCursor as string | null;
      added.push(await submit(officer, { entities: [person(names[0])] }));
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of readable) expect(seen).toContain(id);
    // A report filed mid-way appears once at most (in id order, it may fall behind the cursor).
    expect(seen.every((id) => readable.includes(id) || added.includes(id))).toBe(true);
  });

  it('bounds a page whatever the data: at most 20 shared entities listed per item, with their count', async () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ type: 'EMAIL', value: `${tag}.${i}@example.org` }));
    const a = await submit(officer, { entities: many });
    const b = await submit(officer, { entities: many });
    const res = await t.get(`/api/v1/reports/${a}/correlations`, { token: officer.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0].reportId).toBe(b);
    expect(res.body.items[0].sharedEntityCount).toBe(200);
    expect(res.body.items[0].sharedEntities).toHaveLength(20);
    const listed = (res.body.items[0] as Correlation).sharedEntities;
    expect(new Set(listed.map((e) => e.value)).size).toBe(20);
    expect(listed.every((e) => e.type === 'EMAIL' && many.some((m) => m.value === e.value))).toBe(true);
    // A full page of 200 such items stays small: 20 entities each, never 200.
    expect(res.text.length).toBeLessThan(20 * 600 + 1000);
  });

  it('pages the entity search the same way, pointers on the first page only', async () => {
    const { items, pages } = await t.allPages<string>('/api/v1/entities/search', officer.token, { type: 'PERSON', value: names[0].toUpperCase(), limit: '200' });
    expect(new Set(items).size).toBe(items.length);
    for (const id of [origin, ...readable]) expect(items).toContain(id);
    for (const id of hidden) expect(items).not.toContain(id);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0].body).toMatchObject({ hiddenMatches: [{ agencyCode: customs.code, count: hidden.length }], truncated: false });
    expect(pages.slice(1).every((p) => (p.body as unknown as { hiddenMatches: unknown[] }).hiddenMatches.length === 0)).toBe(true);
    // The analyst reads them all: no pointer at all.
    const asAnalyst = await t.get('/api/v1/entities/search', { token: analyst.token, query: { type: 'PERSON', value: names[0], limit: '200' } });
    expect(asAnalyst.body.items).toHaveLength(200);
    expect(asAnalyst.body.hiddenMatches).toEqual([]);
  });

  it('answers 400 naming the field for a limit above 200 or a malformed cursor, on both endpoints', async () => {
    const forged = Buffer.from(JSON.stringify(["x' OR 1=1 --"])).toString('base64url');
    const cases: [Record<string, string>, string][] = [
      [{ limit: '201' }, 'limit'],
      [{ limit: '0' }, 'limit'],
      [{ cursor: 'garbage' }, 'cursor'],
      [{ cursor: forged }, 'cursor'],
      [{ cursor: Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', origin])).toString('base64url') }, 'cursor'],
    ];
    for (const [query, field] of cases) {
      for (const [url, base] of [
        [`/api/v1/reports/${origin}/correlations`, {}],
        ['/api/v1/entities/search', { type: 'PERSON', value: names[0] }],
      ] as const) {
        const res = await t.get(url, { token: officer.token, query: { ...base, ...query } });
        expect({ url, query, status: res.status, fields: res.body.fields }).toEqual({ url, query, status: 400, fields: [field] });
      }
    }
  });

  it('audits each page with the ids it returned', async () => {
    const reader = await fx.user(await fx.fusionCell(), ['ANALYST'], 'SECRET');
    const first = await t.get(`/api/v1/reports/${origin}/correlations`, { token: reader.token, query: { limit: '7' } });
    const second = await t.get(`/api/v1/reports/${origin}/correlations`, { token: reader.token, query: { limit: '7', cursor: first.body.nextCursor } });
    const search = await t.get('/api/v1/entities/search', { token: reader.token, query: { type: 'PERSON', value: names[0], limit: '3', cursor: first.body.nextCursor } });
    expect([first.status, second.status, search.status]).toEqual([200, 200, 200]);
    await t.audit.flush();
    const rows = await t.ds.query(`SELECT action, resource_ids, details FROM audit_event WHERE actor_id = $1 AND action IN ('report.correlate', 'entity.search') ORDER BY seq`, [reader.id]);
    const ids = (b: { items: (Correlation | string)[] }) => b.items.map((i) => (typeof i === 'string' ? i : i.reportId));
    expect(rows.map((r: { action: string; resource_ids: string[] }) => [r.action, r.resource_ids])).toEqual([
      ['report.correlate', ids(first.body)],
      ['report.correlate', ids(second.body)],
      ['entity.search', ids(search.body)],
    ]);
    expect(ids(first.body)).toHaveLength(7);
    expect(ids(second.body).some((id) => ids(first.body).includes(id))).toBe(false);
    expect(rows[1].details.cursor).toBe(first.body.nextCursor);
  });
});

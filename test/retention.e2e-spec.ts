import { Clock } from '../src/config/clock';
import { RetentionService } from '../src/retention/retention.service';
import { TestApp } from './support/test-app';
import { createMigratedDatabase, dropDatabase } from './support/test-database';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

const DAY = 86_400_000;

/** A clock the test moves: retention is tested by moving time, never by sleeping. */
class MovableClock extends Clock {
  private offset = 0;
  override now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(days: number): void {
    this.offset += days * DAY;
  }
}

describe('retention under 28 CFR 23.20(h)', () => {
  const dbName = `fusion_retention_${Date.now()}_${process.pid}`;
  const clock = new MovableClock();
  let t: TestApp;
  let officer: Actor;
  let analyst: Actor;
  let auditor: Actor;
  let partner: { code: string };

  beforeAll(async () => {
    process.env.DATABASE_URL = await createMigratedDatabase(dbName);
    t = await TestApp.start((b) => b.overrideProvider(Clock).useValue(clock));
    const fx = new Fixtures(t);
    officer = await fx.user(await fx.agency('POLICE'), ['OFFICER'], 'SECRET');
    analyst = await fx.user(await fx.fusionCell(), ['ANALYST'], 'SECRET');
    auditor = await fx.user(await fx.fusionCell(), ['AUDITOR'], 'UNCLASSIFIED');
    partner = await fx.agency('CUSTOMS');
  });
  afterAll(async () => {
    await t?.close();
    await dropDatabase(dbName);
  });

  it('purges unvalidated reports past review (tombstone + audit), keeps validated ones, and the purged ones vanish from reads, search and correlation', async () => {
    const phone = '+44 7700 900777';
    const submit = async (title: string) =>
      (await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ title, narrative: `retentiontoken ${title}`, releasableTo: [partner.code], entities: [{ type: 'PHONE', value: phone }] }), headers: { 'idempotency-key': `ret-${title}` } })).body;
    const stale = await submit('stale');
    const kept = await submit('kept');
    expect(Math.round((Date.parse(stale.reviewDueAt) - Date.parse(stale.createdAt)) / DAY)).toBe(1826);

    // report_share mirrors releasable_to (kept by a trigger): it serves the "shared with my agency" lists.
    const shares = async (id: string) => (await t.ds.query(`SELECT agency_code FROM report_share WHERE report_id = $1`, [id])).map((r: { agency_code: string }) => r.agency_code);
    expect(await shares(stale.id)).toEqual([partner.code]);

    const retention = t.app.get(RetentionService);
    // Four years on, nothing is due; the originator validates one report, which moves its review on.
    clock.advance(4 * 365);
    const keysMadeToday = () => t.ds.query(`UPDATE idempotency_key SET created_at = $1 WHERE key IN ('ret-stale', 'ret-kept')`, [clock.now()]);
    await keysMadeToday(); // so only the purge — not their 7-day expiry — can remove one
    expect(await retention.purgeDue()).toEqual([]);
    const validated = await t.post(`/api/v1/reports/${kept.id}/validate`, { token: officer.token });
    expect(Date.parse(validated.body.reviewDueAt)).toBeGreaterThan(Date.parse(stale.reviewDueAt) + 3 * 365 * DAY);

    // Five years and a day after submission: the unvalidated one is purged, the validated one kept.
    clock.advance(366 + 2);
    await keysMadeToday();
    expect(await retention.purgeDue()).toEqual([stale.id]);
    expect(await retention.purgeDue()).toEqual([]); // idempotent

    for (const who of [officer, analyst]) {
      expect((await t.get(`/api/v1/reports/${stale.id}`, { token: who.token })).status).toBe(404);
      expect((await t.get(`/api/v1/reports/${kept.id}`, { token: who.token })).status).toBe(200);
    }
    const list = await t.get('/api/v1/reports', { token: analyst.token, query: { q: 'retentiontoken' } });
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([kept.id]);
    const search = await t.get('/api/v1/entities/search', { token: analyst.token, query: { type: 'PHONE', value: phone } });
    expect(search.body).toEqual({ items: [kept.id], nextCursor: null, hiddenMatches: [], truncated: false });
    const corr = await t.get(`/api/v1/reports/${kept.id}/correlations`, { token: analyst.token });
    expect(corr.body.items).toEqual([]);
    // A replay of the purged report's Idempotency-Key does not resurrect its content.
    const idem = await t.ds.query(`SELECT key FROM idempotency_key WHERE key IN ('ret-stale', 'ret-kept')`);
    expect(idem).toEqual([{ key: 'ret-kept' }]);

    // The tombstone: id, agency and dates stay; content is gone.
    const [row] = await t.ds.query(`SELECT agency_id, title, narrative, source_description, suspicion_basis, location, purged_at, created_at FROM report WHERE id = $1`, [stale.id]);
    expect(row).toMatchObject({ agency_id: officer.agency.id, narrative: '', source_description: null, location: null });
    expect(row.title).not.toContain('stale');
    expect(row.purged_at).toBeInstanceOf(Date);
    const [entities] = await t.ds.query(`SELECT count(*)::int AS n FROM report_entity WHERE report_id = $1`, [stale.id]);
    expect(entities.n).toBe(0);
    expect(await shares(stale.id)).toEqual([]);
    expect(await shares(kept.id)).toEqual([partner.code]);

    // The audit history of the report stays, with the purge itself.
    const history = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: stale.id } });
    // The reads refused after the purge say so (not "need-to-know", which would send an auditor after a leak).
    const refused = (history.body.items as { action: string; outcome: string; reason: string }[]).filter((e) => e.action === 'report.read' && e.outcome === 'DENIED');
    expect(refused.map((e) => e.reason)).toEqual(['purged', 'purged']);
    const actions = history.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['report.create', 'report.purge']));
    expect((await t.get('/api/v1/audit-events/verify', { token: auditor.token })).body.valid).toBe(true);
  });
});

// Over 300 lines: intake and reads of one capability, sharing one officer's reports.
import { AbilityFactory } from '../src/access/ability.factory';
import { PrincipalService } from '../src/auth/principal.service';
import { encodeCursor } from '../src/common/pagination';
import { ListReportsQuery } from '../src/reports/dto/list-reports.query';
import { Report } from '../src/reports/report.entity';
import { auditedPage } from '../src/reports/list/audited-page';
import { reportPageQuery } from '../src/reports/list/report-page.query';
import { type Page, type Res, TestApp, uniq } from './support/test-app';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

describe('report intake and reads', () => {
  let t: TestApp;
  let fx: Fixtures;
  let officer: Actor;
  let analyst: Actor;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    const police = await fx.agency('POLICE', 'TOP_SECRET');
    officer = await fx.user(police, ['OFFICER'], 'SECRET', ['HUMINT']);
    analyst = await fx.user(await fx.fusionCell(), ['ANALYST'], 'TOP_SECRET', ['HUMINT', 'SIGINT']);
  });
  afterAll(() => t.close());

  it('creates a report for the caller’s own agency, with normalised entities, whatever agencyId the body claims', async () => {
    const body = reportBody({
      entities: [
        { type: 'PHONE', value: '+44 7700 900123' },
        { type: 'EMAIL', value: ' Cell@Example.ORG ' },
        { type: 'VEHICLE', value: 'ab12 cde' },
        { type: 'PERSON', value: '  John   SMITH ' },
        { type: 'IP', value: '2001:DB8:0:0:0:0:0:1' },
        { type: 'DOMAIN', value: 'Example.COM.' },
      ],
    });
    const res = await t.post('/api/v1/reports', { token: officer.token, body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      agencyId: officer.agency.id,
      title: body.title,
      classification: 'CONFIDENTIAL',
      tlp: 'AMBER',
      sourceDescription: body.sourceDescription,
      suspicionBasis: body.suspicionBasis,
      createdBy: officer.id,
    });
    expect(res.body.entities.map((e: { normalized: string }) => e.normalized)).toEqual([
      '+447700900123',
      'cell@example.org',
      'AB12CDE',
      'john smith',
      '2001:db8::1',
      'example.com',
    ]);
    const due = Date.parse(res.body.reviewDueAt) - Date.parse(res.body.createdAt);
    expect(Math.round(due / 86_400_000)).toBe(1826);

    const spoofed = await t.post('/api/v1/reports', { token: officer.token, body: { ...body, agencyId: analyst.agency.id } });
    expect(spoofed.body).toMatchObject({ statusCode: 400, code: 'VALIDATION', fields: ['agencyId'] });

    const rows = await t.ds.query(`SELECT normalized FROM report_entity WHERE report_id = $1 AND type = 'PHONE'`, [res.body.id]);
    expect(rows).toEqual([{ normalized: '+447700900123' }]);
  });

  it('lists a report exactly as it reads on its own: every field, the entities in the same order, the source for its agency only', async () => {
    const res = await t.post('/api/v1/reports', {
      token: officer.token,
      body: reportBody({
        classification: 'RESTRICTED',
        entities: [
          { type: 'PHONE', value: '07700 900999' },
          { type: 'EMAIL', value: 'b@example.org' },
          { type: 'PHONE', value: '07700 900111' },
          { type: 'EMAIL', value: 'a@example.org' },
        ],
      }),
    });
    expect(res.status).toBe(201);
    await t.post(`/api/v1/reports/${res.body.id}/validate`, { token: officer.token });
    for (const reader of [officer, analyst]) {
      const single = await t.get(`/api/v1/reports/${res.body.id}`, { token: reader.token });
      expect(single.status).toBe(200);
      const { items } = await t.allPages<{ id: string }>('/api/v1/reports', reader.token, { limit: '200' });
      expect(items.find((i) => i.id === res.body.id)).toEqual(single.body);
      expect(single.body.entities.map((e: { normalized: string }) => e.normalized)).toEqual(['a@example.org', 'b@example.org', '07700900111', '07700900999']);
      expect(Object.keys(single.body).includes('sourceDescription')).toBe(reader === officer);
      expect(single.body.validatedAt).toEqual(expect.any(String));
    }
  });

  it('lists a shared report from its share row, but never on that row’s word alone: a row that disagrees with its report shows nothing; a purge removes the rows', async () => {
    const customs = await fx.agency('CUSTOMS', 'TOP_SECRET');
    const reader = await fx.user(customs, ['OFFICER'], 'SECRET', ['HUMINT']);
    const shared = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ classification: 'RESTRICTED', tlp: 'AMBER', releasableTo: [customs.code] }) });
    const notShared = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ classification: 'RESTRICTED', tlp: 'AMBER' }) });
    expect([shared.status, notShared.status]).toEqual([201, 201]);
    const ours = [shared.body.id, notShared.body.id];
    const listed = async (): Promise<string[]> =>
      (await t.allPages<{ id: string }>('/api/v1/reports', reader.token, { limit: '200' })).items.map((i) => i.id).filter((id) => ours.includes(id));
    expect(await listed()).toEqual([shared.body.id]);

    // A share row the trigger never wrote (restored from a bad copy, written by hand…), and one whose
    // markings disagree with its report's: neither report may be listed on the row's word.
    await t.ds.query(`INSERT INTO report_share (agency_code, created_at, report_id, classification, compartments) SELECT $1, created_at, id, classification, compartments FROM report WHERE id = $2`, [customs.code, notShared.body.id]);
    await t.ds.query(`UPDATE report SET classification = 'TOP_SECRET' WHERE id = $1`, [shared.body.id]); // the trigger rewrites the row…
    await t.ds.query(`UPDATE report_share SET classification = 'RESTRICTED' WHERE report_id = $1`, [shared.body.id]); // …and it is made to lie again
    expect(await listed()).toEqual([]);
    expect((await t.get(`/api/v1/reports/${notShared.body.id}`, { token: reader.token })).status).toBe(404);

    // report_share holds the shares of live reports only: a purge (even one that left releasable_to) removes them.
    await t.ds.query(`UPDATE report SET classification = 'RESTRICTED' WHERE id = $1`, [shared.body.id]);
    expect(await listed()).toEqual([shared.body.id]);
    await t.ds.query(`UPDATE report SET purged_at = now() WHERE id = $1`, [shared.body.id]);
    expect(await t.ds.query(`SELECT 1 FROM report_share WHERE report_id = $1`, [shared.body.id])).toEqual([]);
    expect(await listed()).toEqual([]);
  });

  it('goes on past a report a lying share row put on a page, and never shows it, names it in a cursor or audits it as read', async () => {
    const border = await fx.agency('BORDER', 'TOP_SECRET');
    const reader = await fx.user(border, ['OFFICER'], 'SECRET', ['HUMINT']);
    const submit = async (releasableTo: string[]) => {
      const res = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ classification: 'RESTRICTED', tlp: 'AMBER', releasableTo }) });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    // Newest first: newer (shared), five lying ones (not shared, but given share rows by hand), older (shared).
    const older = await submit([border.code]);
    const liars: string[] = [];
    for (let i = 0; i < 5; i++) liars.unshift(await submit([]));
    const lying = liars[0];
    const newer = await submit([border.code]);
    await t.ds.query(
      `INSERT INTO report_share (agency_code, created_at, report_id, classification, compartments) SELECT $1, created_at, id, classification, compartments FROM report WHERE id = ANY($2::uuid[])`,
      [border.code, liars],
    );
    const ours = [newer, ...liars, older];
    const [{ created_at: newerAt }] = await t.ds.query(`SELECT created_at FROM report WHERE id = $1`, [newer]);

    // limit 1, from just above `newer`: the page before `lying` has it as its extra row, and the page
    // after that one starts with five held rows, more statements than a request runs once it has a
    // report to show. (Other suites' reports may come between: only ours are checked.)
    const items: string[] = [];
    const cursors: string[] = [];
    let cursor: string | null = encodeCursor([new Date(new Date(newerAt).getTime() + 1).toISOString(), newer]);
    while (cursor && !items.includes(older) && cursors.length < 50) {
      const res: Res<Page<{ id: string }>> = await t.get<Page<{ id: string }>>('/api/v1/reports', { token: reader.token, query: { limit: '1', cursor } });
      expect(res.status).toBe(200);
      items.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
      if (cursor) cursors.push(cursor);
    }
    expect(items.filter((id) => ours.includes(id))).toEqual([newer, older]);
    expect(cursors.map((c) => Buffer.from(c, 'base64url').toString()).filter((c) => liars.some((id) => c.includes(id)))).toEqual([]);
    await t.audit.flush();
    const events: { resource_ids: string[]; details: { round?: number; cursor: string | null } }[] = await t.ds.query(
      `SELECT resource_ids, details FROM audit_event WHERE action = 'report.list' AND actor_id = $1 ORDER BY seq`,
      [reader.id],
    );
    expect(events.flatMap((e) => e.resource_ids).filter((id) => ours.includes(id))).toEqual([newer, older]);
    expect(Math.max(...events.map((e) => e.details.round ?? 1))).toBeGreaterThan(1); // a request that filled its page past held rows
    expect(events.filter((e) => liars.some((id) => JSON.stringify(e).includes(id)))).toEqual([]);

    // The page after `newer`, as the list statement returns it: the held-back row is a position only,
    // its content stays in the database.
    const principal = await t.app.get(PrincipalService).load(reader.id);
    const ability = new AbilityFactory().createFor(principal!);
    const pq = Object.assign(new ListReportsQuery(), { limit: 50, cursor: encodeCursor([new Date(newerAt).toISOString(), newer]) });
    const query = await reportPageQuery(t.ds.getRepository(Report), ability, pq);
    const ctx = { principal, ability, requestId: 'test', ip: '127.0.0.1' } as never;
    const { sql, params } = auditedPage(query!, 50, ctx, { action: 'report.list', resourceType: 'Report', outcome: 'ALLOWED' });
    const rows: { id: string }[] = await t.ds.query(sql, params);
    expect(rows.find((r) => r.id === lying)).toEqual(expect.objectContaining({ readable: false, title: null, narrative: null, sourceDescription: null, entities: null, classification: null }));
    expect(rows.find((r) => r.id === older)).toEqual(expect.objectContaining({ readable: true, title: expect.any(String) }));
    await t.audit.flush(); // the statement's own audit event
  });

  it('refuses a marking above the caller’s clearance or a compartment they do not hold (403), and audits it', async () => {
    const above = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ classification: 'TOP_SECRET' }) });
    expect(above).toMatchObject({ status: 403, body: { code: 'MARKING_ABOVE_CLEARANCE' } });
    const compartment = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ compartments: ['SIGINT'] }) });
    expect(compartment).toMatchObject({ status: 403, body: { code: 'MARKING_ABOVE_CLEARANCE' } });
    await t.audit.flush();
    const denied = await t.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'report.create' AND outcome = 'DENIED' AND actor_id = $1`, [officer.id]);
    expect(denied[0].n).toBe(2);
  });

  it('validates every field and names each offender in `fields`', async () => {
    const res = await t.post('/api/v1/reports', {
      token: officer.token,
      body: reportBody({
        title: '',
        category: 'GOSSIP',
        occurredAt: 'yesterday',
        location: { lat: 91, lon: -181 },
        sourceReliability: 'Z',
        informationCredibility: 7,
        tlp: 'PURPLE',
        suspicionBasis: undefined,
        entities: [{ type: 'SHOE', value: 'x' }],
        extra: true,
      }),
    });
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION']);
    const offenders = ['title', 'category', 'occurredAt', 'location.lat', 'location.lon', 'sourceReliability', 'informationCredibility', 'tlp', 'suspicionBasis', 'entities.0.type', 'extra'];
    expect(res.body.fields).toEqual(expect.arrayContaining(offenders));

    const tooMany = await t.post('/api/v1/reports', {
      token: officer.token,
      body: reportBody({ entities: Array.from({ length: 201 }, (_, i) => ({ type: 'PHONE', value: `0770090${i}` })) }),
    });
    expect(tooMany.body).toMatchObject({ statusCode: 400, code: 'VALIDATION', fields: ['entities'] });

    const badPhone = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ entities: [{ type: 'PHONE', value: 'no digits' }] }) });
    expect(badPhone.body).toMatchObject({ statusCode: 400, code: 'INVALID_ENTITY_VALUE', fields: ['entities.0.value'] });

    const unknownAgency = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ releasableTo: ['NO_SUCH_AGENCY'] }) });
    expect(unknownAgency.body).toMatchObject({ statusCode: 400, code: 'UNKNOWN_AGENCY', fields: ['releasableTo'] });
  });

  it('answers 413 for a body over 1 MiB and 400 for malformed JSON', async () => {
    const big = await t.post('/api/v1/reports', { token: officer.token, payload: JSON.stringify(reportBody({ narrative: 'x'.repeat(1024 * 1024) })) });
    expect(big.status).toBe(413);
    expect(big.body.statusCode).toBe(413);
    const bad = await t.post('/api/v1/reports', { token: officer.token, payload: '{"title": ' });
    expect(bad.status).toBe(400);
  });

  it('Idempotency-Key: a replay returns the original response and never a second report, also for 8 concurrent replays', async () => {
    const key = `k-${uniq()}`;
    const body = reportBody({ title: `Idempotent ${key}` });
    const first = await t.post('/api/v1/reports', { token: officer.token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const replay = await t.post('/api/v1/reports', { token: officer.token, body, headers: { 'idempotency-key': key } });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const different = await t.post('/api/v1/reports', { token: officer.token, body: { ...body, title: 'other' }, headers: { 'idempotency-key': key } });
    expect(different).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });

    const key2 = `k-${uniq()}`;
    const body2 = reportBody({ title: `Concurrent ${key2}` });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.post('/api/v1/reports', { token: officer.token, body: body2, headers: { 'idempotency-key': key2 } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const count = await t.ds.query(`SELECT count(*)::int AS n FROM report WHERE title = $1`, [body2.title]);
    expect(count[0].n).toBe(1);
  });

  it('lists newest first with cursor pagination and filters category, from, to and full-text q', async () => {
    const token = uniq('tok').toLowerCase();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.post('/api/v1/reports', {
        token: officer.token,
        body: reportBody({
          title: `Explosives seized ${i}`,
          narrative: `Detectives ${token} recovered detonators from a lock-up garage (${i}).`,
          category: i % 2 === 0 ? 'TERRORISM' : 'ORGANISED_CRIME',
          occurredAt: `2026-11-0${i + 1}T10:00:00Z`,
        }),
      });
      expect(res.status).toBe(201);
      made.push(res.body.id);
    }
    const newestFirst = [...made].reverse();
    const page1 = await t.get('/api/v1/reports', { token: officer.token, query: { q: token, limit: '2' } });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await t.get('/api/v1/reports', { token: officer.token, query: { q: token, limit: '2', cursor: page1.body.nextCursor } });
    expect(page2.body.items.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(2, 4));
    const page3 = await t.get('/api/v1/reports', { token: officer.token, query: { q: token, limit: '2', cursor: page2.body.nextCursor } });
    expect(page3.body.items.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(4));
    expect(page3.body.nextCursor).toBeNull();

    // Stemming: "detonator" finds "detonators"; websearch syntax for phrases and exclusion.
    const stem = await t.get('/api/v1/reports', { token: officer.token, query: { q: `${token} detonator` } });
    expect(stem.body.items).toHaveLength(5);
    const excl = await t.get('/api/v1/reports', { token: officer.token, query: { q: `${token} -garage` } });
    expect(excl.body.items).toHaveLength(0);

    const cat = await t.get('/api/v1/reports', { token: officer.token, query: { q: token, category: 'ORGANISED_CRIME' } });
    expect(cat.body.items.map((r: { id: string }) => r.id).sort()).toEqual([made[1], made[3]].sort());
    const range = await t.get('/api/v1/reports', { token: officer.token, query: { q: token, from: '2026-11-02T00:00:00Z', to: '2026-11-04T00:00:00Z' } });
    expect(range.body.items.map((r: { id: string }) => r.id).sort()).toEqual([made[1], made[2]].sort());
  });

  it('reads one report; the originating agency validates it, extending review; others may not', async () => {
    const created = await t.post('/api/v1/reports', { token: officer.token, body: reportBody() });
    const id = created.body.id as string;
    const read = await t.get(`/api/v1/reports/${id}`, { token: analyst.token });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
    expect(read.body).not.toHaveProperty('sourceDescription');

    const byAnalyst = await t.post(`/api/v1/reports/${id}/validate`, { token: analyst.token });
    expect(byAnalyst).toMatchObject({ status: 403, body: { code: 'NOT_ORIGINATING_AGENCY' } });
    const before = Date.parse(created.body.reviewDueAt);
    const validated = await t.post(`/api/v1/reports/${id}/validate`, { token: officer.token });
    expect(validated.status).toBe(200);
    expect(validated.body.validatedAt).toEqual(expect.any(String));
    expect(Date.parse(validated.body.reviewDueAt)).toBeGreaterThanOrEqual(before);

    expect((await t.get('/api/v1/reports/00000000-0000-4000-8000-000000000000', { token: officer.token })).status).toBe(404);
    expect((await t.get('/api/v1/reports/not-a-uuid', { token: officer.token })).status).toBe(400);
  });
});

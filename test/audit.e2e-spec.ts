import { gatedEventsParam, insertGatedEvents } from '../src/audit/audit-writer';
import { chainHash, GENESIS_HASH } from '../src/audit/canonical';
import { TestApp } from './support/test-app';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

describe('audit log: append-only, hash-chained, searchable, verifiable, exportable', () => {
  let t: TestApp;
  let fx: Fixtures;
  let auditor: Actor;
  let officer: Actor;
  let analyst: Actor;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    auditor = await fx.user(cell, ['AUDITOR'], 'UNCLASSIFIED');
    analyst = await fx.user(cell, ['ANALYST'], 'SECRET');
    officer = await fx.user(await fx.agency('POLICE'), ['OFFICER'], 'SECRET');
  });
  afterAll(() => t.close());

  it('answers "who saw report X": reads, list views and denials, each with actor, agency and request id', async () => {
    const created = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ tlp: 'AMBER' }) });
    const id = created.body.id as string;
    expect((await t.get(`/api/v1/reports/${id}`, { token: analyst.token })).status).toBe(200);
    const list = await t.get('/api/v1/reports', { token: analyst.token, query: { limit: '200' } });
    expect(list.body.items.map((r: { id: string }) => r.id)).toContain(id);
    const outsider = await fx.user(await fx.agency('CUSTOMS'), ['OFFICER'], 'SECRET');
    expect((await t.get(`/api/v1/reports/${id}`, { token: outsider.token })).status).toBe(404);

    const res = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: id, limit: '200' } });
    expect(res.status).toBe(200);
    const seen = res.body.items.map((e: any) => [e.action, e.actorId, e.outcome]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['report.create', officer.id, 'ALLOWED'],
        ['report.read', analyst.id, 'ALLOWED'],
        ['report.list', analyst.id, 'ALLOWED'],
        ['report.read', outsider.id, 'DENIED'],
      ]),
    );
    const event = res.body.items[0];
    expect(Object.keys(event)).toEqual(
      expect.arrayContaining(['seq', 'at', 'actorId', 'agencyId', 'action', 'resourceType', 'resourceId', 'outcome', 'reason', 'requestId', 'hash', 'prevHash']),
    );
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);

    const byActor = await t.get('/api/v1/audit-events', { token: auditor.token, query: { actorId: outsider.id, outcome: 'DENIED' } });
    expect(byActor.body.items).toHaveLength(1);
    expect(byActor.body.items[0]).toMatchObject({ action: 'report.read', resourceId: id, agencyId: outsider.agency.id });
  });

  it('records an id sent in upper case as the same id: its read is found by resourceId in either spelling', async () => {
    const created = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ tlp: 'AMBER' }) });
    const id = created.body.id as string;
    const read = await t.get(`/api/v1/reports/${id.toUpperCase()}`, { token: analyst.token });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
    await t.audit.flush();
    for (const spelling of [id, id.toUpperCase()]) {
      const found = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: spelling, action: 'report.read', actorId: analyst.id.toUpperCase() } });
      expect(found.status).toBe(200);
      expect(found.body.items.map((e: { resourceId: string; requestId: string }) => [e.resourceId, e.requestId])).toEqual([[id, read.headers['x-request-id']]]);
    }
  });

  it('cannot be made to file an anonymous login under someone else’s id, nor under the system’s request ids', async () => {
    const created = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ tlp: 'AMBER' }) });
    const reportId = created.body.id as string;
    for (const username of [reportId, analyst.id]) {
      const res = await t.post('/api/v1/auth/login', { body: { username, password: 'wrong-password-x' }, headers: { 'x-request-id': '(retention)' } });
      expect(res.status).toBe(401);
      expect(res.headers['x-request-id']).not.toBe('(retention)'); // the system's ids cannot be sent
    }
    await t.audit.flush();
    for (const id of [reportId, analyst.id]) {
      const found = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: id, action: 'auth.login', outcome: 'FAILED' } });
      expect([id, found.body.items]).toEqual([id, []]);
    }
    const byName = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: `username:${reportId}`, action: 'auth.login' } });
    expect(byName.body.items).toEqual([expect.objectContaining({ outcome: 'FAILED', reason: 'unknown user', requestId: expect.not.stringContaining('(') })]);
  });

  it('is for auditors only; the audit query itself is audited', async () => {
    expect(await t.get('/api/v1/audit-events', { token: analyst.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect(await t.get('/api/v1/audit-events/verify', { token: await fx.admin() })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    await t.get('/api/v1/audit-events', { token: auditor.token, query: { action: 'auth.login' } });
    const mine = await t.get('/api/v1/audit-events', { token: auditor.token, query: { actorId: auditor.id, action: 'audit.search' } });
    expect(mine.body.items.length).toBeGreaterThanOrEqual(2);
    // AUDITOR has no access to content (separation of duties): need-to-know gives them nothing.
    const reports = await t.get('/api/v1/reports', { token: auditor.token });
    expect(reports.status).toBe(200);
    expect(reports.body.items).toEqual([]);
    expect(await t.post('/api/v1/reports', { token: auditor.token, body: {} })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
  });

  it('paginates in chain order with a cursor', async () => {
    const p1 = await t.get('/api/v1/audit-events', { token: auditor.token, query: { limit: '3' } });
    expect(p1.body.items).toHaveLength(3);
    const p2 = await t.get('/api/v1/audit-events', { token: auditor.token, query: { limit: '3', cursor: p1.body.nextCursor } });
    const seqs = [...p1.body.items, ...p2.body.items].map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(6);
    expect((await t.get('/api/v1/audit-events', { token: auditor.token, query: { cursor: 'garbage!' } })).status).toBe(400);
  });

  it('chains each event to the previous: hash = sha256(prevHash || canonical(event)), gap-free from seq 1', async () => {
    const res = await t.get('/api/v1/audit-events', { token: auditor.token, query: { limit: '50' } });
    const events = res.body.items;
    expect(events[0].seq).toBe(1);
    expect(events[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (i > 0) {
        expect(e.seq).toBe(events[i - 1].seq + 1);
        expect(e.prevHash).toBe(events[i - 1].hash);
      }
      // v2 (docs/audit.md): `at` exactly as exported (microseconds), clientRequestId and canon from the same view.
      expect(chainHash(e.prevHash, { ...e, seq: String(e.seq), at: new Date(e.at), atText: e.at })).toBe(e.hash);
    }
  });

  it('verifies the chain', async () => {
    const res = await t.get('/api/v1/audit-events/verify', { token: auditor.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true, checked: expect.any(Number), headSeq: expect.any(Number), headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.checked).toBe(res.body.headSeq);
  });

  it('exports as streamed NDJSON and CSV', async () => {
    const nd = await t.get('/api/v1/audit-events/export', { token: auditor.token, query: { format: 'ndjson', purpose: 'quarterly oversight review' } });
    expect(nd.status).toBe(200);
    expect(nd.headers['content-type']).toContain('application/x-ndjson');
    const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.map((l: { seq: number }) => l.seq)).toEqual([...lines.map((l: { seq: number }) => l.seq)].sort((a, b) => a - b));

    const csv = await t.get('/api/v1/audit-events/export', { token: auditor.token, query: { format: 'csv', action: 'auth.login' } });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).toBe('seq,at,actorId,agencyId,action,resourceType,resourceId,resourceIds,outcome,reason,requestId,details,hash,prevHash,clientRequestId,canon');
    expect(rows.slice(1).every((r) => r.includes(',auth.login,'))).toBe(true);

    await t.audit.flush();
    const exportEvent = await t.ds.query(`SELECT reason FROM audit_event WHERE action = 'audit.export' AND actor_id = $1 ORDER BY seq LIMIT 1`, [auditor.id]);
    expect(exportEvent[0].reason).toBe('quarterly oversight review');
    expect((await t.get('/api/v1/audit-events/export', { token: auditor.token, query: { format: 'xml' } })).status).toBe(400);
  });

  it('a set-based statement logs exactly the writes it made, in the order given', async () => {
    // Three rows: the statement "writes" two of them (the CTE w). An event that needs its row written is
    // left out when it was not; one that does not need it is always logged.
    const [a, b, c] = ['8f1d7c6e-0000-4000-8000-00000000000a', '8f1d7c6e-0000-4000-8000-00000000000b', '8f1d7c6e-0000-4000-8000-00000000000c'];
    const ctx = { requestId: 'gated-test', ip: '127.0.0.1', principal: null };
    const event = (forId: string, ifWritten: boolean, action: string) => ({ forId, ifWritten, input: { action, outcome: 'ALLOWED' as const, resourceType: 'Test', resourceId: forId } });
    const events = [event(a, true, 'test.first'), event(b, true, 'test.skipped'), event(c, false, 'test.always'), event(a, true, 'test.second')];
    await t.ds.query(`WITH w AS (SELECT unnest($1::uuid[]) AS id) ${insertGatedEvents('$2', 'w')}`, [[a, c], gatedEventsParam(ctx, events)]);
    await t.audit.flush();
    const chained = await t.ds.query<{ action: string; resource_id: string }[]>(`SELECT action, resource_id FROM audit_event WHERE request_id = 'gated-test' ORDER BY seq`);
    expect(chained.map((e) => [e.action, e.resource_id])).toEqual([
      ['test.first', a],
      ['test.always', c],
      ['test.second', a],
    ]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit_event in the database, even by its owner', async () => {
    await t.audit.flush();
    await expect(t.ds.query(`UPDATE audit_event SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.ds.query(`DELETE FROM audit_event WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.ds.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only/);
  });
});

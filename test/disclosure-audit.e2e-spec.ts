import { TestApp, uniq } from './support/test-app';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

/** SPEC S1 "Every disclosure is audited": an idempotent replay of POST /reports discloses the report again. */
describe('disclosure: an idempotent replay is audited, and only for its own user while they may read it', () => {
  let t: TestApp;
  let fx: Fixtures;
  let officer: Actor, colleague: Actor;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    const police = await fx.agency('POLICE', 'SECRET');
    officer = await fx.user(police, ['OFFICER'], 'SECRET');
    colleague = await fx.user(police, ['OFFICER'], 'SECRET');
  });
  afterAll(() => t.close());

  const events = async (action: string, resourceId: string) => {
    await t.audit.flush();
    return t.ds.query<{ actor_id: string; outcome: string; reason: string | null; details: Record<string, unknown> }[]>(
      `SELECT actor_id, outcome, reason, details FROM audit_event WHERE action = $1 AND resource_id = $2 ORDER BY seq`,
      [action, resourceId],
    );
  };

  it('audits a replay as a read of the report (details.replay), never as a second creation', async () => {
    const key = `replay-${uniq()}`;
    const body = reportBody({ title: `Replayed ${key}`, sourceDescription: 'Source CHAMELEON, met twice' });
    const first = await t.post('/api/v1/reports', { token: officer.token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(await events('report.read', first.body.id)).toEqual([]);

    const replay = await t.post('/api/v1/reports', { token: officer.token, body, headers: { 'idempotency-key': key } });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await events('report.read', first.body.id)).toEqual([
      { actor_id: officer.id, outcome: 'ALLOWED', reason: 'idempotent replay', details: { replay: true, idempotencyKey: key } },
    ]);
    expect(await events('report.create', first.body.id)).toHaveLength(1);
  });

  it('scopes a key to its user: the same key from a colleague is a new report, not the other’s response', async () => {
    const key = `shared-${uniq()}`;
    const body = reportBody({ title: `Same key ${key}` });
    const mine = await t.post('/api/v1/reports', { token: officer.token, body, headers: { 'idempotency-key': key } });
    const theirs = await t.post('/api/v1/reports', { token: colleague.token, body, headers: { 'idempotency-key': key } });
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.createdBy).toBe(colleague.id);
  });

  it('refuses a replay to a user no longer cleared for the report (403 as for any marking above them): nothing disclosed', async () => {
    const key = `lowered-${uniq()}`;
    const body = reportBody({ title: `Lowered ${key}`, classification: 'SECRET' });
    const first = await t.post('/api/v1/reports', { token: colleague.token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const lowered = await t.call('PATCH', `/api/v1/users/${colleague.id}`, { token: await fx.admin(), body: { clearance: 'CONFIDENTIAL' } });
    expect(lowered.status).toBe(200);
    const replay = await t.post('/api/v1/reports', { token: colleague.token, body, headers: { 'idempotency-key': key } });
    expect(replay).toMatchObject({ status: 403, body: { code: 'MARKING_ABOVE_CLEARANCE' } });
    expect(replay.text).not.toContain(body.title);
    expect(await events('report.read', first.body.id)).toEqual([]);
  });
  it('answers a replay of a report the caller can no longer read (purged) 404, audited DENIED as a read', async () => {
    const key = `purged-${uniq()}`;
    const body = reportBody({ title: `Purged ${key}` });
    const first = await t.post('/api/v1/reports', { token: officer.token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    await t.ds.query(`UPDATE report SET purged_at = now() WHERE id = $1`, [first.body.id]);
    const replay = await t.post('/api/v1/reports', { token: officer.token, body, headers: { 'idempotency-key': key } });
    expect(replay).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(replay.text).not.toContain(body.title);
    expect(await events('report.read', first.body.id)).toEqual([
      { actor_id: officer.id, outcome: 'DENIED', reason: 'need-to-know', details: { replay: true, idempotencyKey: key } },
    ]);
  });
});

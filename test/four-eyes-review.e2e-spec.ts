import { AppConfig } from '../src/config/app-config';
import { DeliveryService } from '../src/dissemination/delivery.service';
import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures, PASSWORD } from './support/agencies-and-users';

/**
 * Adversarial review of the four-eyes rule (SPEC S1): what an approver approves is what is applied,
 * and only while the ADMIN who asked is still one.
 */
describe('four eyes: what is approved is what was asked', () => {
  let t: TestApp;
  let fx: Fixtures;
  let admin: string, checker: string;
  let cell: AgencyRef;

  const patch = (id: string, body: unknown, token = admin) => t.call('PATCH', `/api/v1/users/${id}`, { token, body });
  const approve = (changeId: string, token = checker) => t.post(`/api/v1/admin/changes/${changeId}/approve`, { token });
  const me = (token: string) => t.get('/api/v1/auth/me', { token });
  const newUser = (roles: string[], clearance = 'SECRET') => ({
    username: `fr${uniq().toLowerCase()}`,
    password: PASSWORD,
    agencyId: cell.id,
    roles,
    clearance,
    compartments: [],
  });

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    admin = await fx.admin();
    checker = await fx.checker();
    cell = await fx.fusionCell();
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('a change asked by an ADMIN who has since been deactivated cannot be approved (409 REQUESTER_GONE)', async () => {
    const third = newUser(['ADMIN'], 'UNCLASSIFIED');
    expect((await approve((await t.post('/api/v1/users', { token: admin, body: third })).body.changeId)).status).toBe(200);
    const thirdToken = await t.login(third.username, PASSWORD);
    const thirdId = (await me(thirdToken)).body.id;
    const asked = await t.post('/api/v1/users', { token: thirdToken, body: newUser(['ANALYST']) });
    expect(asked.status).toBe(202);

    const off = await patch(thirdId, { active: false });
    expect((await approve(off.body.changeId)).status).toBe(200);

    const late = await approve(asked.body.changeId);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('REQUESTER_GONE');
    expect(await t.ds.query(`SELECT status FROM admin_change WHERE id = $1`, [asked.body.changeId])).toEqual([{ status: 'PENDING_APPROVAL' }]);
    // It can still be rejected.
    expect((await t.post(`/api/v1/admin/changes/${asked.body.changeId}/reject`, { token: checker })).status).toBe(200);
  });

  it('a change to a user who has been changed since it was asked cannot be approved (409 TARGET_CHANGED): a reset password of a since-promoted account', async () => {
    const officer: Actor = await fx.user(cell, ['OFFICER'], 'CONFIDENTIAL');
    // The approver is asked to reset the password of a CONFIDENTIAL officer…
    const reset = await patch(officer.id, { password: 'temporary-pass-0002' });
    expect(reset.status).toBe(202);
    const listed = (await t.allPages<any>('/api/v1/admin/changes', checker, { status: 'PENDING_APPROVAL' })).items.find((c) => c.id === reset.body.changeId);
    expect(listed.request.before).toEqual({ roles: ['OFFICER'], clearance: 'CONFIDENTIAL', compartments: [], active: true });
    // …who meanwhile becomes a TOP_SECRET HUMINT supervisor (approved on its own).
    const promote = await patch(officer.id, { roles: ['SUPERVISOR'], clearance: 'TOP_SECRET', compartments: ['HUMINT'] });
    expect((await approve(promote.body.changeId)).status).toBe(200);

    const late = await approve(reset.body.changeId);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('TARGET_CHANGED');
    expect((await t.post('/api/v1/auth/login', { body: { username: officer.username, password: 'temporary-pass-0002' } })).status).toBe(401);
  });

  it('a change that was not sensitive when read is not applied without approval if the user changed before it was written (409)', async () => {
    const officer: Actor = await fx.user(cell, ['OFFICER'], 'SECRET');
    // A second ADMIN's deactivation holds the user's row while the first ADMIN's "active: true" (a no-op
    // when read) waits for it: once the deactivation commits, the no-op would be a reactivation.
    const q = t.ds.createQueryRunner();
    await q.connect();
    await q.startTransaction();
    try {
      await q.query(`SELECT id FROM app_user WHERE id = $1 FOR UPDATE`, [officer.id]);
      const racing = patch(officer.id, { active: true });
      for (let i = 0; i < 200; i++) {
        const [w] = await t.ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%app_user%' AND datname = current_database()`,
        );
        if (w.n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await q.query(`UPDATE app_user SET active = false WHERE id = $1`, [officer.id]);
      await q.commitTransaction();
      const res = await racing;
      expect(res).toMatchObject({ status: 409, body: { code: 'USER_CHANGED' } });
    } finally {
      if (q.isTransactionActive) await q.rollbackTransaction();
      await q.release();
    }
    expect(await t.ds.query(`SELECT active FROM app_user WHERE id = $1`, [officer.id])).toEqual([{ active: false }]);
  });

  it('a temporary password reaches nothing but POST /auth/password: not the queue dashboard (Basic or bearer), not /health details', async () => {
    const other = newUser(['ADMIN'], 'UNCLASSIFIED');
    expect((await approve((await t.post('/api/v1/users', { token: admin, body: other })).body.changeId)).status).toBe(200);
    const otherId = (await me(await t.login(other.username, PASSWORD))).body.id;
    const reset = await patch(otherId, { password: 'temporary-admin-0001' });
    expect((await approve(reset.body.changeId)).status).toBe(200);
    const temp = await t.post('/api/v1/auth/login', { body: { username: other.username, password: 'temporary-admin-0001' } });
    expect(temp.body.passwordChangeRequired).toBe(true);
    const basic = `Basic ${Buffer.from(`${other.username}:temporary-admin-0001`).toString('base64')}`;
    expect((await t.get('/admin/queues', { headers: { authorization: basic } })).status).toBe(401);
    expect((await t.get('/admin/queues', { token: temp.body.accessToken })).status).toBe(401);
    expect(await t.get('/api/v1/admin/changes', { token: temp.body.accessToken })).toMatchObject({ status: 403, body: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    const health = await t.get('/health', { token: temp.body.accessToken });
    expect(Object.keys(health.body)).toEqual(['status']);
  });

  it('an ADMIN_NOTICE names only the compartments its reader holds (a compartment is a marking)', async () => {
    const police = await fx.agency('POLICE', 'TOP_SECRET');
    const uncleared = await fx.user(police, ['OFFICER'], 'SECRET');
    const promoted = await fx.user(police, ['OFFICER'], 'SECRET');
    const asked = await patch(promoted.id, { compartments: ['HUMINT'] });
    expect((await approve(asked.body.changeId)).status).toBe(200);
    const [d] = await t.ds.query<{ id: string }[]>(`SELECT id FROM dissemination WHERE kind = 'ADMIN_NOTICE' AND content->>'changeId' = $1`, [asked.body.changeId]);
    expect(await new DeliveryService(t.ds, t.writer, t.app.get(AppConfig)).deliver(d.id, 1)).toBe('delivered');
    const seenBy = async (a: Actor) => ((await t.get('/api/v1/inbox', { token: a.token })).body.items as any[]).find((i) => i.id === d.id);
    const theirs = await seenBy(promoted);
    expect(theirs.content.request).toMatchObject({ userId: promoted.id, compartments: ['HUMINT'] });
    const other = await seenBy(uncleared);
    expect(other.content.request).toEqual({ userId: promoted.id, username: promoted.username, compartments: [], compartmentsNotShown: 1 });
    expect(JSON.stringify(other)).not.toContain('HUMINT');
  });
});

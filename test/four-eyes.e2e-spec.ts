import { AppConfig } from '../src/config/app-config';
import { DeliveryService } from '../src/dissemination/delivery.service';
import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures, PASSWORD } from './support/agencies-and-users';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = `whsec_${Buffer.from('four-eyes-secret-four-eyes-secret').toString('base64')}`;

/**
 * SPEC S1 "Four eyes on administration": a sensitive change one ADMIN asks for answers 202 and does
 * nothing until a second, different ADMIN approves it; a password an ADMIN resets is temporary; a
 * password change revokes older tokens; the affected agency is sent an ADMIN_NOTICE.
 * (The shared test database always has the fixtures' second ADMIN, the "checker".)
 */
describe('four eyes on administration', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let fx: Fixtures;
  let admin: string, checker: string, adminId: string, checkerId: string;
  let cell: AgencyRef, police: AgencyRef;
  let officer: Actor, supervisor: Actor;

  const patch = (id: string, body: unknown, token = admin) => t.call('PATCH', `/api/v1/users/${id}`, { token, body });
  const approve = (changeId: string, token = checker) => t.post(`/api/v1/admin/changes/${changeId}/approve`, { token });
  const reject = (changeId: string, token = checker) => t.post(`/api/v1/admin/changes/${changeId}/reject`, { token });
  const me = (token: string) => t.get('/api/v1/auth/me', { token });
  const loginRes = (username: string, password: string) => t.post('/api/v1/auth/login', { body: { username, password }, remoteAddress: '192.0.2.77' });
  const newUser = (roles: string[], agency: AgencyRef = cell, clearance = 'SECRET') => ({
    username: `fe${uniq().toLowerCase()}`,
    password: PASSWORD,
    agencyId: agency.id,
    roles,
    clearance,
    compartments: [],
  });
  /** Delivers an agency's newest ADMIN_NOTICE as the worker would, and returns it as the agency's officer sees it in the inbox. */
  const noticeFor = async (agency: AgencyRef, reader: Actor, changeId: string) => {
    const [d] = await t.ds.query<{ id: string }[]>(`SELECT id FROM dissemination WHERE kind = 'ADMIN_NOTICE' AND agency_id = $1 AND content->>'changeId' = $2`, [
      agency.id,
      changeId,
    ]);
    expect(d).toBeDefined();
    expect(await new DeliveryService(t.ds, t.writer, t.app.get(AppConfig)).deliver(d.id, 1)).toBe('delivered');
    const inbox = await t.get('/api/v1/inbox', { token: reader.token });
    expect(inbox.status).toBe(200);
    return inbox.body.items.find((i: { id: string }) => i.id === d.id);
  };

  beforeAll(async () => {
    await receiver.start();
    process.env.WEBHOOK_ALLOWED_HOSTS = '127.0.0.1';
    t = await TestApp.start();
    fx = new Fixtures(t);
    admin = await fx.admin();
    checker = await fx.checker();
    adminId = (await me(admin)).body.id;
    checkerId = (await me(checker)).body.id;
    cell = await fx.fusionCell();
    police = await fx.agency('POLICE', 'SECRET');
    officer = await fx.user(police, ['OFFICER'], 'SECRET');
    supervisor = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET', ['HUMINT']);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('creating a user (content role, ADMIN or AUDITOR) answers 202 and creates nobody until a second ADMIN approves', async () => {
    for (const roles of [['ANALYST'], ['ADMIN'], ['AUDITOR']]) {
      const body = newUser(roles);
      const asked = await t.post('/api/v1/users', { token: admin, body });
      expect(asked.status).toBe(202);
      expect(asked.body).toEqual({ changeId: expect.any(String), status: 'PENDING_APPROVAL' });
      expect((await loginRes(body.username, PASSWORD)).status).toBe(401);
      expect(await t.ds.query(`SELECT id FROM app_user WHERE username = $1`, [body.username])).toEqual([]);

      // The list shows what was asked, never the password.
      const pending = await t.allPages<any>('/api/v1/admin/changes', checker, { status: 'PENDING_APPROVAL' });
      const listed = pending.items.find((c) => c.id === asked.body.changeId);
      expect(listed).toMatchObject({ kind: 'USER_CREATE', status: 'PENDING_APPROVAL', requestedBy: adminId, decidedBy: null, request: { username: body.username, roles } });
      expect(JSON.stringify(pending.items)).not.toContain(PASSWORD);
      expect(JSON.stringify(pending.items)).not.toMatch(/argon|hash/i);

      const ok = await approve(asked.body.changeId);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ id: asked.body.changeId, status: 'APPLIED', decidedBy: checkerId, result: { username: body.username, roles } });
      expect((await loginRes(body.username, PASSWORD)).status).toBe(200); // a new user's first password is not temporary
    }
  });

  it('changing a user to a role, clearance or compartment more, or resetting their password, waits; lowering or deactivating does not', async () => {
    const target = await fx.user(police, ['OFFICER'], 'CONFIDENTIAL', ['HUMINT']);
    for (const body of [{ clearance: 'SECRET' }, { compartments: ['HUMINT', 'SIGINT'] }, { password: 'reset-by-admin-0001' }]) {
      const asked = await patch(target.id, body);
      expect([JSON.stringify(body), asked.status]).toEqual([JSON.stringify(body), 202]);
      expect((await me(target.token)).body).toMatchObject({ clearance: 'CONFIDENTIAL', compartments: ['HUMINT'] }); // no effect yet
      expect(JSON.stringify((await t.get('/api/v1/admin/changes', { token: checker })).body)).not.toContain('reset-by-admin-0001');
      expect((await reject(asked.body.changeId)).body.status).toBe('REJECTED');
    }
    expect((await loginRes(target.username, PASSWORD)).status).toBe(200); // the rejected reset changed nothing
    const analyst = await fx.user(cell, ['ANALYST']);
    const promote = await patch(analyst.id, { roles: ['ANALYST', 'SUPERVISOR'] });
    expect(promote.status).toBe(202);
    expect((await me(analyst.token)).body.roles).toEqual(['ANALYST']);

    // Immediate: lowering the clearance, removing a compartment, deactivating a non-ADMIN.
    expect((await patch(target.id, { clearance: 'RESTRICTED', compartments: [] })).status).toBe(200);
    expect((await me(target.token)).body).toMatchObject({ clearance: 'RESTRICTED', compartments: [] });
    expect((await patch(target.id, { active: false })).status).toBe(200);
    // Reactivating gives the roles back: sensitive.
    const back = await patch(target.id, { active: true });
    expect(back.status).toBe(202);
    expect((await me(target.token)).status).toBe(401);
    expect((await approve(back.body.changeId)).status).toBe(200);
    // Deactivation ended the old tokens for good: the reactivated user logs in again.
    expect((await me(target.token)).status).toBe(401);
    target.token = await t.login(target.username, PASSWORD);
    expect((await me(target.token)).status).toBe(200);
  });

  it('approval applies the change and audits it with both ADMINs; the agency gets an ADMIN_NOTICE saying what changed', async () => {
    const asked = await patch(officer.id, { compartments: ['HUMINT'], clearance: 'SECRET' });
    expect(asked.status).toBe(202);
    const ok = await approve(asked.body.changeId);
    expect(ok.status).toBe(200);
    expect((await me(officer.token)).body.compartments).toEqual(['HUMINT']);

    await t.audit.flush();
    const [applied] = await t.ds.query(`SELECT actor_id, details FROM audit_event WHERE action = 'user.update' AND resource_id = $1 ORDER BY seq DESC LIMIT 1`, [officer.id]);
    expect(applied).toEqual({ actor_id: checkerId, details: expect.objectContaining({ changeId: asked.body.changeId, requestedBy: adminId, approvedBy: checkerId }) });
    const decisions = await t.ds.query(`SELECT action, actor_id, details FROM audit_event WHERE resource_id = $1 ORDER BY seq`, [asked.body.changeId]);
    expect(decisions).toEqual([
      { action: 'admin_change.request', actor_id: adminId, details: expect.objectContaining({ kind: 'USER_UPDATE' }) },
      { action: 'admin_change.approve', actor_id: checkerId, details: { kind: 'USER_UPDATE', requestedBy: adminId, approvedBy: checkerId } },
    ]);

    const notice = await noticeFor(police, officer, asked.body.changeId);
    expect(notice).toMatchObject({
      kind: 'ADMIN_NOTICE',
      variant: 'FULL',
      content: { changeId: asked.body.changeId, change: 'USER_UPDATE', summary: expect.any(String), request: { userId: officer.id, compartments: ['HUMINT'] } },
    });
    expect(notice.content.requestedBy).not.toBe(notice.content.approvedBy);
  });

  it('the requester cannot approve (422); a decided change cannot be decided again (409); the requester may withdraw it', async () => {
    const asked = await t.post('/api/v1/users', { token: admin, body: newUser(['ANALYST']) });
    const own = await approve(asked.body.changeId, admin);
    expect(own.status).toBe(422);
    expect(own.body.code).toBe('SAME_ADMIN');
    await t.audit.flush();
    const [denied] = await t.ds.query(`SELECT reason FROM audit_event WHERE action = 'admin_change.approve' AND outcome = 'DENIED' AND resource_id = $1`, [asked.body.changeId]);
    expect(denied).toEqual({ reason: 'SAME_ADMIN' }); // a refused decision is audited too
    expect((await approve(asked.body.changeId)).status).toBe(200);
    expect(await approve(asked.body.changeId)).toMatchObject({ status: 409, body: { code: 'CHANGE_DECIDED' } });
    expect(await reject(asked.body.changeId)).toMatchObject({ status: 409, body: { code: 'CHANGE_DECIDED' } });

    const withdrawn = await t.post('/api/v1/users', { token: admin, body: newUser(['ANALYST']) });
    expect((await reject(withdrawn.body.changeId, admin)).body).toMatchObject({ status: 'REJECTED', decidedBy: adminId });
    expect(await approve(withdrawn.body.changeId)).toMatchObject({ status: 409, body: { code: 'CHANGE_DECIDED' } });
    // Not ADMINs: 403. Unknown: 404.
    expect(await t.get('/api/v1/admin/changes', { token: officer.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect(await approve(withdrawn.body.changeId, supervisor.token)).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect((await approve('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await t.get('/api/v1/admin/changes', { token: checker, query: { status: 'DONE' } })).status).toBe(400);
  });

  it('approval checks the change again: a username taken meanwhile is 409 and the change stays pending; an expired change is 409', async () => {
    const body = newUser(['ANALYST']);
    const first = await t.post('/api/v1/users', { token: admin, body });
    const second = await t.post('/api/v1/users', { token: admin, body: { ...body, roles: ['SUPERVISOR'] } });
    expect((await approve(first.body.changeId)).status).toBe(200);
    const again = await approve(second.body.changeId);
    expect(again).toMatchObject({ status: 409, body: { code: 'USERNAME_TAKEN' } });
    const pending = await t.allPages<any>('/api/v1/admin/changes', checker, { status: 'PENDING_APPROVAL' });
    expect(pending.items.map((c) => c.id)).toContain(second.body.changeId);

    await t.ds.query(`UPDATE admin_change SET expires_at = now() - interval '1 second' WHERE id = $1`, [second.body.changeId]);
    const expired = await approve(second.body.changeId);
    expect(expired).toMatchObject({ status: 409, body: { code: 'CHANGE_EXPIRED' } });
    const listed = await t.allPages<any>('/api/v1/admin/changes', checker, { status: 'EXPIRED' });
    expect(listed.items.map((c) => c.id)).toContain(second.body.changeId);
  });

  it('a deactivated ADMIN cannot approve; removing another ADMIN is itself sensitive (no ADMIN can make themselves the only one)', async () => {
    const third = newUser(['ADMIN'], cell, 'UNCLASSIFIED');
    expect((await approve((await t.post('/api/v1/users', { token: admin, body: third })).body.changeId)).status).toBe(200);
    const thirdToken = await t.login(third.username, PASSWORD);
    const thirdId = (await me(thirdToken)).body.id;
    const off = await patch(thirdId, { active: false });
    expect(off.status).toBe(202);
    expect((await approve(off.body.changeId)).status).toBe(200);
    const asked = await t.post('/api/v1/users', { token: admin, body: newUser(['ANALYST']) });
    expect((await approve(asked.body.changeId, thirdToken)).status).toBe(401);
    expect((await patch(checkerId, { roles: ['AUDITOR'] })).status).toBe(202);
    expect((await me(checker)).body.roles).toEqual(['ADMIN']);
  });

  it('a reset password is temporary: its login may only change it (403 elsewhere), and the change revokes older tokens (401)', async () => {
    const asked = await patch(supervisor.id, { password: 'temporary-pass-0001' });
    expect(asked.status).toBe(202);
    expect((await approve(asked.body.changeId)).status).toBe(200);
    expect((await me(supervisor.token)).status).toBe(401); // the reset revoked the supervisor's tokens

    const temporary = await loginRes(supervisor.username, 'temporary-pass-0001');
    expect(temporary.status).toBe(200);
    expect(temporary.body).toEqual({ passwordChangeRequired: true, accessToken: expect.any(String) });
    const tempToken = temporary.body.accessToken as string;
    for (const [method, url] of [['GET', '/api/v1/auth/me'], ['GET', '/api/v1/reports'], ['GET', '/api/v1/assessments'], ['GET', '/api/v1/inbox']]) {
      const res = await t.call(method, url, { token: tempToken });
      expect([url, res.status, res.body.code]).toEqual([url, 403, 'PASSWORD_CHANGE_REQUIRED']);
    }
    const change = (body: unknown, token = tempToken) => t.post('/api/v1/auth/password', { token, body });
    expect(await change({ currentPassword: 'wrong-password-0001', newPassword: 'my-own-password-0001' })).toMatchObject({ status: 422, body: { code: 'WRONG_CURRENT_PASSWORD' } });
    expect(await change({ currentPassword: 'temporary-pass-0001', newPassword: 'short' })).toMatchObject({ status: 400, body: { code: 'VALIDATION' } });
    expect(await change({ currentPassword: 'temporary-pass-0001', newPassword: 'temporary-pass-0001' })).toMatchObject({ status: 400, body: { code: 'SAME_PASSWORD' } });
    const changed = await change({ currentPassword: 'temporary-pass-0001', newPassword: 'my-own-password-0001' });
    expect(changed.status).toBe(200);
    expect(changed.body.user).toMatchObject({ id: supervisor.id, roles: ['SUPERVISOR'] });
    expect((await me(tempToken)).status).toBe(401);
    expect((await me(changed.body.accessToken)).status).toBe(200);
    const normal = await loginRes(supervisor.username, 'my-own-password-0001');
    expect(normal.body).toMatchObject({ accessToken: expect.any(String), user: { id: supervisor.id } });
    expect(normal.body.passwordChangeRequired).toBeUndefined();

    // Any user changes their own password the same way, at once: their older tokens stop working.
    const own = await fx.user(police, ['OFFICER']);
    const again = await change({ currentPassword: PASSWORD, newPassword: 'officer-own-password-1' }, own.token);
    expect(again.status).toBe(200);
    expect((await me(own.token)).status).toBe(401);
    expect((await me(again.body.accessToken)).status).toBe(200);
  });

  it('the issue’s attacks fail: an ANALYST account for oneself, a supervisor’s password, the webhook pointed elsewhere', async () => {
    // 1. An ADMIN creates an ANALYST account for themselves: nothing exists, and they cannot approve it.
    const mine = newUser(['ANALYST'], cell, 'TOP_SECRET');
    const asked = await t.post('/api/v1/users', { token: admin, body: mine });
    expect(asked.status).toBe(202);
    expect(await approve(asked.body.changeId, admin)).toMatchObject({ status: 422, body: { code: 'SAME_ADMIN' } });
    expect((await loginRes(mine.username, PASSWORD)).status).toBe(401);

    // 2. Resetting a supervisor's password to log in as them: nothing changes without the second ADMIN.
    const target = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET');
    const reset = await patch(target.id, { password: 'i-know-this-one-0001' });
    expect(reset.status).toBe(202);
    expect((await loginRes(target.username, 'i-know-this-one-0001')).status).toBe(401);
    expect((await me(target.token)).status).toBe(200);

    // 3. Pointing an agency's webhook elsewhere (a later redrive posts to the agency's stored URL): unchanged until approved.
    const customs = await fx.agency('CUSTOMS', 'SECRET');
    const customsOfficer = await fx.user(customs, ['OFFICER']);
    expect((await fx.webhook(customs.id, { url: receiver.url('/customs'), secret: SECRET })).status).toBe(200);
    const hijack = await t.call('PUT', `/api/v1/agencies/${customs.id}/webhook`, { token: admin, body: { url: receiver.url('/attacker') } });
    expect(hijack.status).toBe(202);
    expect(hijack.body).toEqual({ changeId: expect.any(String), status: 'PENDING_APPROVAL' }); // no secret before approval
    const [stored] = await t.ds.query(`SELECT webhook_url, webhook_secret FROM agency WHERE id = $1`, [customs.id]);
    expect(stored).toEqual({ webhook_url: receiver.url('/customs'), webhook_secret: SECRET });

    // Approved: the generated secret goes to the approver once; the agency's notice goes to its inbox, not to the new endpoint.
    const ok = await approve(hijack.body.changeId);
    expect(ok.body.result).toEqual({ agencyId: customs.id, url: receiver.url('/attacker'), secret: expect.stringMatching(/^whsec_/) });
    const notice = await noticeFor(customs, customsOfficer, hijack.body.changeId);
    expect(notice).toMatchObject({ kind: 'ADMIN_NOTICE', content: { change: 'AGENCY_WEBHOOK', request: { url: receiver.url('/attacker'), secretGiven: false } } });
    expect(JSON.stringify(notice)).not.toContain(ok.body.result.secret);
    expect(receiver.received).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { skeleton } from '../src/common/confusables';
import { TestApp } from './support/test-app';
import { ADMIN_PASSWORD } from './support/test-env';
import { Fixtures, PASSWORD } from './support/agencies-and-users';

describe('identity: login, tokens, throttling, admin endpoints', () => {
  let t: TestApp;
  let fx: Fixtures;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
  });
  afterAll(() => t.close());

  it('bootstraps the fusion cell and admin, and logs in with the bootstrap password', async () => {
    const res = await t.post('/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.user).toEqual({
      id: expect.any(String),
      username: 'admin',
      agencyId: expect.any(String),
      roles: ['ADMIN'],
      clearance: expect.any(String),
      compartments: [],
    });
    const me = await t.get('/api/v1/auth/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body.user);
    const agencies = await t.get('/api/v1/agencies', { token: res.body.accessToken });
    const cells = agencies.body.filter((a: { kind: string }) => a.kind === 'FUSION_CELL');
    expect(cells).toEqual([{ id: res.body.user.agencyId, code: 'FUSION', name: expect.any(String), kind: 'FUSION_CELL', accreditation: 'TOP_SECRET', active: true }]);
  });

  it('answers 401 for a wrong password, an unknown user, no token, a forged or tampered token', async () => {
    expect((await t.post('/api/v1/auth/login', { body: { username: 'admin', password: 'wrong-password-000' } })).status).toBe(401);
    expect((await t.post('/api/v1/auth/login', { body: { username: 'nobody-here', password: 'whatever-000000' } })).status).toBe(401);
    expect((await t.get('/api/v1/auth/me')).status).toBe(401);
    const token = await fx.admin();
    const [h, p] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: '00000000-0000-0000-0000-000000000000', iss: 'fusion-cell', aud: 'fusion-cell-api', exp: 4102444800 })).toString('base64url');
    expect((await t.get('/api/v1/auth/me', { token: `${h}.${forgedPayload}.${token.split('.')[2]}` })).status).toBe(401);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expect((await t.get('/api/v1/auth/me', { token: none })).status).toBe(401);
    expect((await t.get('/api/v1/auth/me', { token: 'garbage' })).status).toBe(401);
    // Signed with the real secret, but its subject is not a user id: 401, not a 400 from a failed cast.
    for (const sub of ['a'.repeat(36), '-'.repeat(36), 'admin']) {
      const odd = await t.app.get(JwtService).signAsync({ sub }, { issuer: 'fusion-cell', audience: 'fusion-cell-api', algorithm: 'HS256', expiresIn: 60 });
      expect((await t.get('/api/v1/auth/me', { token: odd })).status).toBe(401);
    }
    // Signed with the real secret for a real user, but without an expiry: not one of ours.
    const adminId = (await t.get('/api/v1/auth/me', { token })).body.id as string;
    const forever = await t.app.get(JwtService).signAsync({ sub: adminId }, { issuer: 'fusion-cell', audience: 'fusion-cell-api', algorithm: 'HS256' });
    expect((await t.get('/api/v1/auth/me', { token: forever })).status).toBe(401);
    const unauth = await t.get('/api/v1/auth/me', { token: 'garbage' });
    expect(unauth.body).toEqual({ statusCode: 401, error: 'Unauthorized', code: 'INVALID_TOKEN', message: expect.any(String), requestId: expect.any(String) });
  });

  it('throttles failed logins per username and address: the 11th attempt in 15 minutes is 429, even with the right password', async () => {
    const agency = await fx.agency('POLICE');
    const officer = await fx.user(agency, ['OFFICER']);
    const ip = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      const res = await t.call('POST', '/api/v1/auth/login', { body: { username: officer.username, password: `wrong-${i}-password` }, headers: { 'x-forwarded-for': ip } });
      expect(res.status).toBe(401);
    }
    // Without TRUSTED_PROXIES the header is ignored: the same client, whatever address it claims.
    const blocked = await t.post('/api/v1/auth/login', { body: { username: officer.username, password: PASSWORD } });
    expect(blocked).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(blocked.body.statusCode).toBe(429);
    // Another account from the same address is not blocked by this account's failures.
    const other = await fx.user(agency, ['OFFICER']);
    expect((await t.post('/api/v1/auth/login', { body: { username: other.username, password: PASSWORD } })).status).toBe(200);

    await t.audit.flush();
    const failed = await t.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.login' AND outcome = 'FAILED' AND actor_id = $1`, [officer.id]);
    expect(failed[0].n).toBe(10);
    const denied = await t.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.login' AND outcome = 'DENIED' AND resource_id = $1`, [`username:${officer.username}`]);
    expect(denied[0].n).toBe(1);
  });

  it('audits the throttle’s refusals sampled: the first, then one a minute per address (or account) carrying the count skipped', async () => {
    const officer = await fx.user(await fx.agency('POLICE'), ['OFFICER']);
    const ip = '192.0.2.10';
    for (let i = 0; i < 10; i++) expect((await t.post('/api/v1/auth/login', { body: { username: officer.username, password: `wrong-${i}-password` }, remoteAddress: ip })).status).toBe(401);
    for (let i = 0; i < 5; i++) expect(await t.post('/api/v1/auth/login', { body: { username: officer.username, password: PASSWORD }, remoteAddress: ip })).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    await t.audit.flush();
    const denied = await t.ds.query(`SELECT details FROM audit_event WHERE action = 'auth.login' AND outcome = 'DENIED' AND resource_id = $1`, [`username:${officer.username}`]);
    // S1: every login event also carries the name as sent and its confusable skeleton.
    expect(denied).toEqual([{ details: { ip, usernameSent: officer.username, usernameSkeleton: skeleton(officer.username) } }]);
  });

  it('holds the throttle under a burst: of 30 wrong passwords sent at once, at most 10 are tried, the rest are 429', async () => {
    const officer = await fx.user(await fx.agency('POLICE'), ['OFFICER']);
    const remoteAddress = '192.0.2.11';
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => t.post('/api/v1/auth/login', { body: { username: officer.username, password: `wrong-${i}-password` }, remoteAddress })),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    const [rows] = await t.ds.query(`SELECT count(*)::int AS n FROM login_failure WHERE username = $1`, [officer.username]);
    expect(rows.n).toBe(statuses.filter((s) => s === 401).length); // a refused attempt leaves no failure behind
    expect((await t.post('/api/v1/auth/login', { body: { username: officer.username, password: PASSWORD }, remoteAddress })).status).toBe(rows.n >= 10 ? 429 : 200);
  });

  it('with 9 failures on record, tries the first of two right passwords sent at once (attempts from one address take turns)', async () => {
    const officer = await fx.user(await fx.agency('POLICE'), ['OFFICER']);
    const remoteAddress = '192.0.2.9'; // its own address: the suites share 127.0.0.1's budget of 100 failures
    for (let i = 0; i < 9; i++) expect((await t.post('/api/v1/auth/login', { body: { username: officer.username, password: `wrong-${i}-password` }, remoteAddress })).status).toBe(401);
    const both = await Promise.all([0, 1].map(() => t.post('/api/v1/auth/login', { body: { username: officer.username, password: PASSWORD }, remoteAddress })));
    const statuses = both.map((r) => r.status).sort();
    // The first is tried; the second is refused unless the first had already finished when it came.
    expect([['200', '200'], ['200', '429']]).toContainEqual(statuses.map(String));
    const [rows] = await t.ds.query(`SELECT count(*)::int AS n FROM login_failure WHERE username = $1`, [officer.username]);
    expect(rows.n).toBe(9);
  });

  it('takes a deactivated account or agency, or a lowered clearance, into account on the next request; the refused token is audited', async () => {
    const agency = await fx.agency('POLICE');
    const officer = await fx.user(agency, ['OFFICER'], 'SECRET');
    expect((await t.get('/api/v1/auth/me', { token: officer.token })).body.clearance).toBe('SECRET');
    await t.ds.query(`UPDATE app_user SET clearance = 'RESTRICTED' WHERE id = $1`, [officer.id]);
    expect((await t.get('/api/v1/auth/me', { token: officer.token })).body.clearance).toBe('RESTRICTED');

    await t.ds.query(`UPDATE app_user SET active = false WHERE id = $1`, [officer.id]);
    expect((await t.get('/api/v1/reports', { token: officer.token })).status).toBe(401);
    await t.ds.query(`UPDATE app_user SET active = true WHERE id = $1`, [officer.id]);
    await t.ds.query(`UPDATE agency SET active = false WHERE id = $1`, [agency.id]);
    expect((await t.get('/api/v1/auth/me', { token: officer.token })).status).toBe(401);
    await t.ds.query(`UPDATE agency SET active = true WHERE id = $1`, [agency.id]);
    expect((await t.get('/api/v1/auth/me', { token: officer.token })).status).toBe(200);

    await t.audit.flush();
    const refused = await t.ds.query(`SELECT reason, agency_id, details FROM audit_event WHERE action = 'auth.token' AND actor_id = $1 ORDER BY seq`, [officer.id]);
    expect(refused).toEqual([
      { reason: 'account inactive', agency_id: agency.id, details: { ip: '127.0.0.1', method: 'GET', path: '/api/v1/reports' } },
      { reason: 'agency inactive', agency_id: agency.id, details: { ip: '127.0.0.1', method: 'GET', path: '/api/v1/auth/me' } },
    ]);
    // A genuine token for a user id that is no account writes nothing (no one to hold to account).
    const ghost = randomUUID();
    const ghostToken = await t.app.get(JwtService).signAsync({ sub: ghost }, { issuer: 'fusion-cell', audience: 'fusion-cell-api', algorithm: 'HS256', expiresIn: 60 });
    expect((await t.get('/api/v1/auth/me', { token: ghostToken })).status).toBe(401);
    // A deactivated account's token used again within the minute: refused, counted, no new event.
    await t.ds.query(`UPDATE app_user SET active = false WHERE id = $1`, [officer.id]);
    for (let i = 0; i < 3; i++) expect((await t.get('/api/v1/auth/me', { token: officer.token })).status).toBe(401);
    await t.audit.flush();
    const [events] = await t.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.token' AND (actor_id = $1 OR resource_id = $2)`, [officer.id, ghost]);
    expect(events.n).toBe(2);
  });

  it('lets only ADMIN create agencies and users, with 409 on duplicates and 422 on clearance above accreditation', async () => {
    const admin = await fx.admin();
    const agency = await fx.agency('CUSTOMS', 'SECRET');
    const officer = await fx.user(agency, ['OFFICER'], 'SECRET');

    const dupAgency = await t.post('/api/v1/agencies', { token: admin, body: { code: agency.code, name: 'x', kind: 'CUSTOMS', accreditation: 'SECRET' } });
    expect(dupAgency).toMatchObject({ status: 409, body: { code: 'AGENCY_CODE_TAKEN' } });
    const secondCell = await t.post('/api/v1/agencies', { token: admin, body: { code: 'CELL2', name: 'x', kind: 'FUSION_CELL', accreditation: 'SECRET' } });
    expect(secondCell).toMatchObject({ status: 409, body: { code: 'FUSION_CELL_EXISTS' } });
    expect(await t.post('/api/v1/agencies', { token: officer.token, body: { code: 'NOPE', name: 'x', kind: 'OTHER', accreditation: 'SECRET' } })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });

    const base = { password: PASSWORD, agencyId: agency.id, roles: ['OFFICER'], clearance: 'SECRET', compartments: [] };
    const dupUser = await t.post('/api/v1/users', { token: admin, body: { ...base, username: officer.username.toUpperCase() } });
    expect(dupUser).toMatchObject({ status: 409, body: { code: 'USERNAME_TAKEN' } });
    const tooHigh = await t.post('/api/v1/users', { token: admin, body: { ...base, username: 'too-high-1', clearance: 'TOP_SECRET' } });
    expect(tooHigh).toMatchObject({ status: 422, body: { code: 'CLEARANCE_ABOVE_ACCREDITATION' } });
    const analystOutsideCell = await t.post('/api/v1/users', { token: admin, body: { ...base, username: 'analyst-out-1', roles: ['ANALYST'] } });
    expect(analystOutsideCell).toMatchObject({ status: 422, body: { code: 'ROLE_OUTSIDE_CELL' } });
    const shortPw = await t.post('/api/v1/users', { token: admin, body: { ...base, username: 'short-pw-1', password: 'short' } });
    expect(shortPw.body).toMatchObject({ statusCode: 400, code: 'VALIDATION', fields: ['password'] });
    expect(await t.post('/api/v1/users', { token: officer.token, body: { ...base, username: 'by-officer-1' } })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });

    // Creating a user is a sensitive change (SPEC S1): 202, then applied when the second ADMIN approves.
    const asked = await t.post('/api/v1/users', { token: admin, body: { ...base, username: 'New.User-1' } });
    expect(asked.status).toBe(202);
    const created = await fx.approved(asked);
    expect(created.status).toBe(200);
    expect(created.body.username).toBe('new.user-1');
    expect(JSON.stringify(created.body)).not.toMatch(/password|hash|argon/i);
    expect((await t.post('/api/v1/auth/login', { body: { username: 'NEW.USER-1', password: PASSWORD } })).status).toBe(200);
  });

  it('lets an ADMIN change or deactivate a user (PATCH /users/:id), under the rules of creation, effective on the user’s next request', async () => {
    const admin = await fx.admin();
    const adminId = (await t.get('/api/v1/auth/me', { token: admin })).body.id as string;
    const agency = await fx.agency('POLICE', 'SECRET');
    const officer = await fx.user(agency, ['OFFICER'], 'SECRET');
    const patch = (id: string, body: unknown, token = admin) => t.call('PATCH', `/api/v1/users/${id}`, { token, body });

    const off = await patch(officer.id, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: officer.id, active: false, clearance: 'SECRET' });
    expect(off.body.passwordHash).toBeUndefined();
    expect((await t.get('/api/v1/auth/me', { token: officer.token })).status).toBe(401);
    // Reactivating and a compartment more are sensitive (SPEC S1): approved by the second ADMIN.
    expect((await fx.approved(await patch(officer.id, { active: true, clearance: 'RESTRICTED', compartments: ['HUMINT'] }))).status).toBe(200);
    // Deactivation ended the old token for good; the reactivated officer logs in again.
    expect((await t.get('/api/v1/auth/me', { token: officer.token })).status).toBe(401);
    const again = await t.login(officer.username, PASSWORD);
    expect((await t.get('/api/v1/auth/me', { token: again })).body).toMatchObject({ clearance: 'RESTRICTED', compartments: ['HUMINT'] });

    // A password reset (approved): the old one no longer logs in, the new one does, as a temporary password.
    expect((await fx.approved(await patch(officer.id, { password: 'a-brand-new-password-1' }))).status).toBe(200);
    expect((await t.post('/api/v1/auth/login', { body: { username: officer.username, password: PASSWORD }, remoteAddress: '192.0.2.12' })).status).toBe(401);
    const temporary = await t.post('/api/v1/auth/login', { body: { username: officer.username, password: 'a-brand-new-password-1' }, remoteAddress: '192.0.2.12' });
    expect(temporary.status).toBe(200);
    expect(temporary.body.passwordChangeRequired).toBe(true);

    // The rules of creation, and no self-lockout.
    expect(await patch(officer.id, { clearance: 'TOP_SECRET' })).toMatchObject({ status: 422, body: { code: 'CLEARANCE_ABOVE_ACCREDITATION' } });
    expect(await patch(officer.id, { roles: ['OFFICER', 'ANALYST'] })).toMatchObject({ status: 422, body: { code: 'ROLE_OUTSIDE_CELL' } });
    expect(await patch(officer.id, { roles: ['OFFICER', 'AUDITOR'] })).toMatchObject({ status: 422, body: { code: 'SEPARATION_OF_DUTIES' } });
    expect(await patch(adminId, { active: false })).toMatchObject({ status: 422, body: { code: 'OWN_ADMIN_ROLE' } });
    // One's own password only with the current one (POST /auth/password): a stolen token cannot lock its owner out.
    const own = await patch(adminId, { password: 'a-new-admin-password-1' });
    expect([own.status, own.body.code, own.body.fields]).toEqual([422, 'OWN_PASSWORD', ['password']]);
    expect(await patch(adminId, { roles: ['AUDITOR'] })).toMatchObject({ status: 422, body: { code: 'OWN_ADMIN_ROLE' } });
    // Bad input names the field; other roles may not; an unknown id is 404.
    for (const [body, code, field] of [[{}, 'NOTHING_TO_CHANGE', 'body'], [{ roles: [] }, 'VALIDATION', 'roles'], [{ active: 'no' }, 'VALIDATION', 'active'], [{ username: 'renamed' }, 'VALIDATION', 'username'], [{ password: 'short' }, 'VALIDATION', 'password'], [{ roles: null }, 'VALIDATION', 'roles'], [{ active: null }, 'VALIDATION', 'active']] as const) {
      const res = await patch(officer.id, body);
      expect([JSON.stringify(body), res.status, res.body.code, res.body.fields]).toEqual([JSON.stringify(body), 400, code, [field]]);
    }
    expect(await patch(officer.id, { active: false }, temporary.body.accessToken)).toMatchObject({ status: 403, body: { code: 'PASSWORD_CHANGE_REQUIRED' } }); // not an ADMIN
    const other = await fx.user(agency, ['OFFICER']);
    expect(await patch(officer.id, { active: false }, other.token)).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect((await patch(randomUUID(), { active: false })).status).toBe(404);

    await t.audit.flush();
    const events = await t.ds.query(`SELECT details FROM audit_event WHERE action = 'user.update' AND resource_id = $1 ORDER BY seq`, [officer.id]);
    const approval = { changeId: expect.any(String), requestedBy: adminId, approvedBy: expect.any(String) };
    expect(events.map((e: { details: unknown }) => e.details)).toEqual([
      { active: false },
      { active: true, clearance: 'RESTRICTED', compartments: ['HUMINT'], ...approval },
      { passwordReset: true, temporary: true, ...approval },
    ]);
  });

  it('refuses AUDITOR or ADMIN combined with a content role (separation of duties)', async () => {
    const cell = await fx.fusionCell();
    const res = await t.post('/api/v1/users', {
      token: await fx.admin(),
      body: { username: 'mixed-roles-1', password: PASSWORD, agencyId: cell.id, roles: ['AUDITOR', 'ANALYST'], clearance: 'SECRET', compartments: [] },
    });
    expect(res).toMatchObject({ status: 422, body: { code: 'SEPARATION_OF_DUTIES' } });
  });
});

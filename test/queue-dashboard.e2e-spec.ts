import { JwtService } from '@nestjs/jwt';
import { TestApp } from './support/app';
import { ADMIN_PASSWORD } from './support/env';
import { Fixtures, PASSWORD } from './support/fixtures';

describe('queue dashboard (/admin/queues)', () => {
  let t: TestApp;
  let fx: Fixtures;
  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
  });
  afterAll(() => t.close());

  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

  it('asks for credentials and refuses everyone but ADMIN', async () => {
    const none = await t.get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Basic');
    expect((await t.get('/admin/queues', { headers: basic('admin', 'wrong-password-x') })).status).toBe(401);
    const officer = await fx.user(await fx.agency('POLICE'), ['OFFICER']);
    expect((await t.get('/admin/queues', { headers: basic(officer.username, PASSWORD) })).status).toBe(401);
    expect((await t.get('/admin/queues/api/queues', { token: officer.token })).status).toBe(401);
  });

  it('takes Basic credentials through the API’s login: failures audited and throttled (429), odd bytes a 401, never a 500', async () => {
    const from = basic;
    expect((await t.get('/admin/queues', { headers: from('adm\u0000in', 'x') })).status).toBe(401);
    expect((await t.get('/admin/queues', { headers: { authorization: 'Basic !!!' } })).status).toBe(401);
    const target = `dash-${Date.now()}`;
    for (let i = 0; i < 10; i++) expect((await t.get('/admin/queues', { headers: from(target, `wrong-${i}-password`) })).status).toBe(401);
    const blocked = await t.get('/admin/queues', { headers: from(target, 'wrong-10-password') });
    expect(blocked.status).toBe(429);
    await t.audit.flush();
    const [failed] = await t.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.login' AND outcome = 'FAILED' AND resource_id = $1`, [`username:${target}`]);
    expect(failed.n).toBe(10);
  });

  it('shows the queues to ADMIN, by Basic credentials or a bearer token', async () => {
    const page = await t.get('/admin/queues', { headers: basic('admin', ADMIN_PASSWORD) });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    const api = await t.get('/admin/queues/api/queues', { token: await fx.admin() });
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['dissemination', 'retention']);
  });

  it('takes a bearer token as the API does: no token without an expiry, and a deactivated admin’s token refused and audited', async () => {
    const admin = await fx.user(await fx.fusionCell(), ['ADMIN']);
    expect((await t.get('/admin/queues/api/queues', { token: admin.token })).status).toBe(200);
    const forever = await t.app.get(JwtService).signAsync({ sub: admin.id }, { issuer: 'fusion-cell', audience: 'fusion-cell-api', algorithm: 'HS256' });
    expect((await t.get('/admin/queues/api/queues', { token: forever })).status).toBe(401);
    await t.ds.query(`UPDATE app_user SET active = false WHERE id = $1`, [admin.id]);
    expect((await t.get('/admin/queues/api/queues', { token: admin.token })).status).toBe(401);
    await t.audit.flush();
    const events = await t.ds.query(`SELECT reason, details->>'path' AS path FROM audit_event WHERE action = 'auth.token' AND actor_id = $1`, [admin.id]);
    expect(events).toEqual([{ reason: 'account inactive', path: '/admin/queues/api/queues' }]);
  });
});

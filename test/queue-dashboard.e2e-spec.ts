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

  it('shows the queues to ADMIN, by Basic credentials or a bearer token', async () => {
    const page = await t.get('/admin/queues', { headers: basic('admin', ADMIN_PASSWORD) });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    const api = await t.get('/admin/queues/api/queues', { token: await fx.admin() });
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['dissemination', 'retention']);
  });
});

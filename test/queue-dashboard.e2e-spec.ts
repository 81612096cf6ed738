import { getQueueToken } from '@nestjs/bullmq';
import { JwtService } from '@nestjs/jwt';
import type { Queue } from 'bullmq';
import { PasswordService } from '../src/users/password.service';
import { DISSEMINATION_QUEUE } from '../src/common/queues';
import { TestApp } from './support/test-app';
import { ADMIN_PASSWORD } from './support/test-env';
import { Fixtures, PASSWORD } from './support/agencies-and-users';

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
    expect(blocked).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
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

  it('re-checks Basic credentials on every request: a deactivated, demoted or re-passworded ADMIN is refused on the very next one', async () => {
    const cell = await fx.fusionCell();
    const [deactivated, demoted, repassworded] = [await fx.user(cell, ['ADMIN']), await fx.user(cell, ['ADMIN']), await fx.user(cell, ['ADMIN'])];
    for (const a of [deactivated, demoted, repassworded]) {
      // Twice: the second is answered from the remembered login.
      expect((await t.get('/admin/queues/api/queues', { headers: basic(a.username, PASSWORD) })).status).toBe(200);
      expect((await t.get('/admin/queues/api/queues', { headers: basic(a.username, PASSWORD) })).status).toBe(200);
    }
    await t.ds.query(`UPDATE app_user SET active = false WHERE id = $1`, [deactivated.id]);
    await t.ds.query(`UPDATE app_user SET roles = '{AUDITOR}' WHERE id = $1`, [demoted.id]);
    await t.ds.query(`UPDATE app_user SET password_hash = $2 WHERE id = $1`, [repassworded.id, await t.app.get(PasswordService).hash('a-brand-new-password-42')]);
    for (const a of [deactivated, demoted, repassworded]) {
      expect((await t.get('/admin/queues/api/queues', { headers: basic(a.username, PASSWORD) })).status).toBe(401);
    }
    expect((await t.get('/admin/queues/api/queues', { headers: basic(repassworded.username, 'a-brand-new-password-42') })).status).toBe(200);
  });

  it('is read-only: pause, add, clean, obliterate, retry, promote… are refused (and audited), reads work', async () => {
    const queue = t.app.get<Queue>(getQueueToken(DISSEMINATION_QUEUE));
    const jobId = `dashboard-${Date.now()}`;
    await queue.add('deliver', { disseminationId: jobId }, { jobId, delay: 3_600_000 }); // delayed: no worker runs it
    const token = await fx.admin();
    const q = '/admin/queues/api/queues';
    const mutations: [string, string][] = [
      ['PUT', `${q}/pause`],
      ['PUT', `${q}/resume`],
      ['PUT', `${q}/dissemination/pause`],
      ['POST', `${q}/dissemination/add`],
      ['PUT', `${q}/dissemination/clean/delayed`],
      ['PUT', `${q}/dissemination/empty`],
      ['PUT', `${q}/dissemination/obliterate`],
      ['PUT', `${q}/dissemination/retry/failed`],
      ['PUT', `${q}/dissemination/promote`],
      ['PUT', `${q}/dissemination/${jobId}/promote`],
      ['PUT', `${q}/dissemination/${jobId}/retry`],
      ['PUT', `${q}/dissemination/${jobId}/clean`],
      ['PATCH', `${q}/dissemination/${jobId}/update-data`],
      ['PUT', `${q}/dissemination/concurrency`],
    ];
    for (const [method, url] of mutations) {
      const res = await t.call(method, url, { token, body: { name: 'deliver', data: {}, concurrency: 1 } });
      expect({ method, url, status: res.status }).toEqual({ method, url, status: 405 });
    }
    expect((await t.call('DELETE', `${q}/dissemination`, { token })).status).toBe(404); // no such route
    expect(await queue.isPaused()).toBe(false);
    // The job is untouched (other suites share this run's queue, so its counts are not ours to compare).
    const job = await queue.getJob(jobId);
    expect(await job?.isDelayed()).toBe(true);
    expect(job?.data).toEqual({ disseminationId: jobId });
    await t.audit.flush();
    const [denied] = await t.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'queue.dashboard' AND outcome = 'DENIED' AND details->>'path' LIKE '/admin/queues/api/queues%'`);
    expect(denied.n).toBeGreaterThanOrEqual(mutations.length);

    // Reads: the queues (each marked read-only, so the page shows no action buttons) and a job.
    const list = await t.get(q, { token });
    expect(list.status).toBe(200);
    expect(list.body.queues.map((x: { readOnlyMode: boolean }) => x.readOnlyMode)).toEqual([true, true]);
    expect((await t.get(`${q}/dissemination/${jobId}`, { token })).status).toBe(200);
    expect((await t.get('/admin/queues', { headers: basic('admin', ADMIN_PASSWORD) })).status).toBe(200);
    await queue.remove(jobId);
  });
});

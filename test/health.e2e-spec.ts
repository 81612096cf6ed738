import { TestApp } from './support/test-app';
import { Fixtures } from './support/agencies-and-users';

describe('GET /health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('is public, and tells a caller without a token its status alone (no queue counters, no dependency names)', async () => {
    const res = await t.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    // HEAD stays for monitors: the same check, no body.
    const head = await t.call('HEAD', '/health');
    expect([head.status, head.text]).toEqual([200, '']);
  });

  it('tells a non-ADMIN user its status alone, and treats a bad token as no token (never 401)', async () => {
    const fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    for (const roles of [['AUDITOR'], ['ANALYST'], ['SUPERVISOR']] as const) {
      const user = await fx.user(cell, [...roles], 'SECRET');
      const res = await t.get('/health', { token: user.token });
      expect([roles[0], res.status, res.body]).toEqual([roles[0], 200, { status: 'ok' }]);
    }
    const admin = await fx.admin();
    for (const token of ['garbage', `${admin.slice(0, -4)}AAAA`, 'a.b.c']) {
      const res = await t.get('/health', { token });
      expect([token, res.status, res.body]).toEqual([token, 200, { status: 'ok' }]);
    }
    const basic = await t.get('/health', { headers: { authorization: 'Basic YWRtaW46eA==' } });
    expect([basic.status, basic.body]).toEqual([200, { status: 'ok' }]);
  });

  it('gives an ADMIN PostgreSQL, Redis and the dissemination queue depth', async () => {
    const res = await t.get('/health', { token: await t.adminToken() });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.redis.status).toBe('up');
    expect(res.body.details.disseminationQueue).toMatchObject({ status: 'up', waiting: expect.any(Number), active: expect.any(Number), failed: expect.any(Number) });
  });

  it('sends security headers and a request id', async () => {
    const res = await t.get('/health', { headers: { 'x-request-id': 'trace-123' } });
    // S1: the request id is always the system's own (a UUID); the client's is kept beside it in the audit log.
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['content-security-policy']).toBeDefined();
    const bad = await t.get('/health', { headers: { 'x-request-id': 'no spaces <allowed>' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

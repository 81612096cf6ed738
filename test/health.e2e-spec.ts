import { TestApp } from './support/app';

describe('GET /health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('is public and reports PostgreSQL, Redis and the dissemination queue depth', async () => {
    const res = await t.get('/health');
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

import { TestApp } from './support/test-app';
import { Fixtures, PASSWORD } from './support/agencies-and-users';

// Its own file: Passport's strategies are process-wide, so a second app in one file would take over the
// first one's JWT strategy (and its database connection) when closed.
describe('behind a reverse proxy (TRUSTED_PROXIES)', () => {
  let t: TestApp;
  let fx: Fixtures;

  beforeAll(async () => {
    process.env.TRUSTED_PROXIES = '127.0.0.1'; // Fastify's inject comes from 127.0.0.1: the "proxy"
    t = await TestApp.start();
    fx = new Fixtures(t);
  });
  afterAll(() => t.close());

  it('gives each client behind a trusted proxy its own login throttle and its own address in the audit', async () => {
    const officer = await fx.user(await fx.agency('POLICE'), ['OFFICER']);
    const login = (password: string, forwardedFor: string) =>
      t.call('POST', '/api/v1/auth/login', { body: { username: officer.username, password }, headers: { 'x-forwarded-for': forwardedFor } });
    for (let i = 0; i < 10; i++) expect((await login(`wrong-${i}-password`, '198.51.100.1')).status).toBe(401);
    expect(await login(PASSWORD, '198.51.100.1')).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    // Another client behind the same proxy is not blocked by the first one's failures.
    expect((await login(PASSWORD, '198.51.100.2')).status).toBe(200);
    // A client cannot choose its address by sending the header itself: the proxy appends the address it
    // saw, and only that last hop is believed.
    expect(await login(PASSWORD, '198.51.100.2, 198.51.100.1')).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });

    const rows = await t.ds.query(`SELECT DISTINCT client_ip FROM login_failure WHERE username = $1`, [officer.username]);
    expect(rows).toEqual([{ client_ip: '198.51.100.1' }]);
    await t.audit.flush();
    const events = await t.ds.query(
      `SELECT outcome, details->>'ip' AS ip FROM audit_event WHERE action = 'auth.login' AND (actor_id = $1 OR resource_id = $2) AND details->>'ip' <> '127.0.0.1' ORDER BY seq`,
      [officer.id, `username:${officer.username}`],
    );
    expect(events.map((e: { outcome: string; ip: string }) => `${e.outcome} ${e.ip}`)).toEqual([
      ...Array<string>(10).fill('FAILED 198.51.100.1'),
      'DENIED 198.51.100.1',
      'ALLOWED 198.51.100.2',
      // the second refusal of the same account from the same address, within the minute: no event of its own
    ]);
  });
});

import { DatabaseError } from 'pg-protocol';
import { PrincipalService } from '../src/auth/principal.service';
import { TestApp } from './support/test-app';
import { Fixtures } from './support/agencies-and-users';

/**
 * While PostgreSQL is down or starting up, loading the caller fails. That must answer 503 — "retry" —
 * never 401, which tells a client its token is bad (it would throw the token away and log in again,
 * which fails too), and never 500. bench:faults stops a real PostgreSQL during intake; this pins the
 * mapping in the suite.
 */
class FlakyPrincipals extends PrincipalService {
  down = false;
  override lookup(userId: string): ReturnType<PrincipalService['lookup']> {
    if (this.down) {
      const err = Object.assign(new DatabaseError('the database system is starting up', 0, 'error'), { code: '57P03' });
      return Promise.reject(err);
    }
    return super.lookup(userId);
  }
}

describe('an authenticated request while the database cannot serve', () => {
  let t: TestApp;
  let principals: FlakyPrincipals;

  beforeAll(async () => {
    t = await TestApp.start((b) => b.overrideProvider(PrincipalService).useClass(FlakyPrincipals));
    principals = t.app.get(PrincipalService);
  });
  afterAll(() => t.close());

  it('answers 503 with the request id (not 401, not 500), and works again once it is back', async () => {
    const token = await new Fixtures(t).admin();
    expect((await t.get('/api/v1/auth/me', { token })).status).toBe(200);

    principals.down = true;
    for (const res of [await t.get('/api/v1/auth/me', { token }), await t.get('/api/v1/reports', { token })]) {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', requestId: expect.any(String) });
    }
    // A forged token is still 401: the database is not asked.
    expect((await t.get('/api/v1/auth/me', { token: `${token}x` })).status).toBe(401);

    principals.down = false;
    expect((await t.get('/api/v1/auth/me', { token })).status).toBe(200);
  });
});

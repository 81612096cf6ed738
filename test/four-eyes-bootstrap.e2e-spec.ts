import { TestApp, uniq } from './support/test-app';
import { OwnDatabase } from './support/own-database';
import { PASSWORD } from './support/agencies-and-users';

/** SPEC S1: the first ADMIN of a fresh install acts alone until a second active ADMIN exists (own database: the shared one has two). */
describe('four eyes: the first ADMIN of a fresh install', () => {
  const db = new OwnDatabase('foureyes');
  let t: TestApp;

  beforeAll(async () => {
    await db.start();
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.close();
    await db.stop();
  });

  it('creates the second ADMIN directly (201); from then on a sensitive change waits for that ADMIN (202)', async () => {
    const admin = await t.adminToken();
    const cell = (await t.get('/api/v1/agencies', { token: admin })).body[0] as { id: string };
    const user = (roles: string[]) => ({ username: `u${uniq().toLowerCase()}`, password: PASSWORD, agencyId: cell.id, roles, clearance: 'UNCLASSIFIED', compartments: [] });

    const second = user(['ADMIN']);
    const created = await t.post('/api/v1/users', { token: admin, body: second });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: second.username, roles: ['ADMIN'] });

    const next = await t.post('/api/v1/users', { token: admin, body: user(['AUDITOR']) });
    expect(next.status).toBe(202);
    // The second ADMIN, too, now needs the first.
    const secondToken = await t.login(second.username, PASSWORD);
    expect((await t.post('/api/v1/users', { token: secondToken, body: user(['ANALYST']) })).status).toBe(202);
    expect((await t.post(`/api/v1/admin/changes/${next.body.changeId}/approve`, { token: secondToken })).status).toBe(200);
  });
});

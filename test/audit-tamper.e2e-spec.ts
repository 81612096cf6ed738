import { TestApp } from './support/test-app';
import { createMigratedDatabase, dropDatabase } from './support/test-database';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

/** Tampering runs on a database of its own, so the shared log of the other suites stays intact. */
describe('audit log tamper evidence', () => {
  const dbName = `fusion_tamper_${Date.now()}_${process.pid}`;
  let t: TestApp;
  let auditor: Actor;

  beforeAll(async () => {
    process.env.DATABASE_URL = await createMigratedDatabase(dbName);
    t = await TestApp.start();
    const fx = new Fixtures(t);
    auditor = await fx.user(await fx.fusionCell(), ['AUDITOR'], 'UNCLASSIFIED');
    const officer = await fx.user(await fx.agency('POLICE'), ['OFFICER'], 'SECRET');
    await t.post('/api/v1/reports', { token: officer.token, body: reportBody() });
  });
  afterAll(async () => {
    await t?.close();
    await dropDatabase(dbName);
  });

  it('detects an edited row and a removed row (triggers bypassed), naming the seq where the chain breaks', async () => {
    await t.audit.flush();
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SET session_replication_role = replica`); // bypasses triggers (superuser only)
      const [victim] = await runner.query(`SELECT seq, reason FROM audit_event WHERE seq = 3`);
      await runner.query(`UPDATE audit_event SET reason = 'edited' WHERE seq = 3`);
      const edited = await t.get('/api/v1/audit-events/verify', { token: auditor.token });
      expect(edited.body).toMatchObject({ valid: false, brokenAtSeq: 3 });
      await runner.query(`UPDATE audit_event SET reason = $1 WHERE seq = 3`, [victim.reason]);

      const [row] = await runner.query(`SELECT * FROM audit_event WHERE seq = 4`);
      await runner.query(`DELETE FROM audit_event WHERE seq = 4`);
      const removed = await t.get('/api/v1/audit-events/verify', { token: auditor.token });
      expect(removed.body).toMatchObject({ valid: false, brokenAtSeq: 4 });
      const cols = Object.keys(row);
      await runner.query(
        `INSERT INTO audit_event (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`,
        cols.map((c) => row[c]),
      );
    } finally {
      await runner.query(`SET session_replication_role = origin`);
      await runner.release();
    }
    const restored = await t.get('/api/v1/audit-events/verify', { token: auditor.token });
    expect(restored.body.valid).toBe(true);
  });
});

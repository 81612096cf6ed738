import { skeleton } from '../src/common/confusables';
import { TestApp } from './support/test-app';
import { type Actor, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

/** The same digits in full width (`123` → `１２３`). */
const fullWidth = (digits: string) => digits.replace(/[0-9]/g, (d) => String.fromCodePoint(0xff10 + Number(d)));
const random6 = () => Math.floor(Math.random() * 1e6).toString().padStart(6, '0');

describe('entity normalisation defeats look-alikes (S1)', () => {
  let t: TestApp;
  let fx: Fixtures;
  let officer: Actor;
  let analyst: Actor;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    officer = await fx.user(await fx.agency('POLICE', 'TOP_SECRET'), ['OFFICER'], 'SECRET');
    analyst = await fx.user(await fx.fusionCell(), ['ANALYST'], 'TOP_SECRET');
  });
  afterAll(() => t.close());

  const submit = async (entities: { type: string; value: string }[]) => {
    const res = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ entities }) });
    expect(res.status).toBe(201);
    return res.body as { id: string; entities: { type: string; value: string; normalized: string }[] };
  };

  it('stores +44 7700 ９００１２３ (full-width digits, the issue’s example) under +447700900123, the value as sent beside it', async () => {
    const r = await submit([{ type: 'PHONE', value: '+44 7700 ９００１２３' }]);
    expect(r.entities).toEqual([{ type: 'PHONE', value: '+44 7700 ９００１２３', normalized: '+447700900123' }]);
    const rows = await t.ds.query(`SELECT value, normalized FROM report_entity WHERE report_id = $1`, [r.id]);
    expect(rows).toEqual([{ value: '+44 7700 ９００１２３', normalized: '+447700900123' }]);
  });

  it('correlates a report with a full-width phone and a Cyrillic plate with one written plainly, and finds both by either spelling', async () => {
    // Numbers and plates of this run only: the suites share one database.
    const digits = random6();
    const plateDigits = random6();
    const disguised = await submit([
      { type: 'PHONE', value: `+44 7911 ${fullWidth(digits)}` },
      { type: 'VEHICLE', value: `\u0425\u041a${plateDigits} \u0410\u0412` }, // Cyrillic ХК…АВ
    ]);
    expect(disguised.entities.map((e) => e.normalized)).toEqual([`+447911${digits}`, `XK${plateDigits}AB`]);
    const plainPhone = await submit([{ type: 'PHONE', value: `+447911${digits}` }]);
    const plainPlate = await submit([{ type: 'VEHICLE', value: `xk-${plateDigits}-ab` }]);

    const res = await t.get(`/api/v1/reports/${disguised.id}/correlations`, { token: analyst.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { reportId: string }) => i.reportId).sort()).toEqual([plainPhone.id, plainPlate.id].sort());

    const byLookAlike = await t.get('/api/v1/entities/search', { token: analyst.token, query: { type: 'PHONE', value: `+44 7911 ${fullWidth(digits)}` } });
    expect(byLookAlike.status).toBe(200);
    expect([...byLookAlike.body.items].sort()).toEqual([disguised.id, plainPhone.id].sort());
    const plateByLookAlike = await t.get('/api/v1/entities/search', { token: analyst.token, query: { type: 'VEHICLE', value: `\u0445\u043a ${plateDigits} \u0430\u0432` } });
    expect([...plateByLookAlike.body.items].sort()).toEqual([disguised.id, plainPlate.id].sort());
  });

  it('answers 400 naming entities[i].value for a value that would lose more than its separators, and stores nothing', async () => {
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM report WHERE created_by = $1`, [officer.id]);
    for (const [entities, field, char] of [
      [[{ type: 'VEHICLE', value: 'AB12★CDE' }], 'entities.0.value', 'U+2605'],
      [[{ type: 'PHONE', value: '+44 7700 900123' }, { type: 'PHONE', value: '+44 7700 900123 ext 5' }], 'entities.1.value', 'U+0065'],
      [[{ type: 'FINANCIAL_ACCOUNT', value: 'GB82 WEST 1234 5698 7654 32 €' }], 'entities.0.value', 'U+20AC'],
    ] as const) {
      const res = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ entities }) });
      expect([res.status, res.body.code, res.body.fields]).toEqual([400, 'INVALID_ENTITY_VALUE', [field]]);
      expect(res.body.message).toContain(char); // the character, named for the user
    }
    const after = await t.ds.query(`SELECT count(*)::int AS n FROM report WHERE created_by = $1`, [officer.id]);
    expect(after).toEqual(before);
  });

  it('answers 400 naming value at the entity search for a value that would lose characters', async () => {
    for (const [type, value] of [
      ['VEHICLE', 'AB12★CDE'],
      ['PHONE', '+44 7700 900123 ext 5'],
      ['DOCUMENT', 'P<123'],
    ]) {
      const res = await t.get('/api/v1/entities/search', { token: analyst.token, query: { type, value } });
      expect([type, value, res.status, res.body.fields]).toEqual([type, value, 400, ['value']]);
    }
  });

  it('records a login under a look-alike username with the name as sent, its skeleton, and the user it imitates', async () => {
    const sent = '\u0430dmin'; // Cyrillic а
    const res = await t.post('/api/v1/auth/login', { body: { username: sent, password: 'wrong-password-000' }, remoteAddress: '192.0.2.77' });
    expect(res.status).toBe(401);
    await t.login(officer.username, 'correct-horse-battery-staple');
    await t.audit.flush();
    const [lookAlike] = await t.ds.query(
      `SELECT outcome, resource_id, details FROM audit_event WHERE action = 'auth.login' AND details->>'usernameSent' = $1 ORDER BY seq DESC LIMIT 1`,
      [sent],
    );
    expect(lookAlike).toMatchObject({
      outcome: 'FAILED',
      resource_id: `username:${sent}`,
      details: { usernameSent: sent, usernameSkeleton: skeleton('admin'), usernameLooksLike: 'admin' },
    });
    expect(lookAlike.details.usernameSkeleton).not.toBe(sent);
    // A plain login carries them too; a plain unknown name imitates nobody.
    const [plain] = await t.ds.query(`SELECT details FROM audit_event WHERE action = 'auth.login' AND actor_id = $1 AND outcome = 'ALLOWED' ORDER BY seq DESC LIMIT 1`, [officer.id]);
    expect(plain.details).toMatchObject({ usernameSent: officer.username, usernameSkeleton: skeleton(officer.username) });
    await t.post('/api/v1/auth/login', { body: { username: 'nobody-like-admin', password: 'wrong-password-000' }, remoteAddress: '192.0.2.77' });
    await t.audit.flush();
    const [nobody] = await t.ds.query(`SELECT details FROM audit_event WHERE action = 'auth.login' AND details->>'usernameSent' = 'nobody-like-admin' ORDER BY seq DESC LIMIT 1`);
    expect(nobody.details).not.toHaveProperty('usernameLooksLike');
  });

});

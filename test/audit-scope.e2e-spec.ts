import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures, PASSWORD } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

interface EventView {
  seq: number;
  actorId: string | null;
  agencyId: string | null;
  action: string;
  resourceId: string | null;
  outcome: string;
  requestId: string | null;
  details: Record<string, unknown> | null;
}

/**
 * Auditors by scope (SPEC S1): an AUDITOR of the fusion cell or of an OVERSIGHT agency sees every
 * event; an AUDITOR of any other agency (here a foreign partner's) sees only the events whose actor
 * belongs to their agency — in the search, in `?resourceId=` lookups and in both export formats.
 */
describe('audit log: auditors by scope', () => {
  let t: TestApp;
  let fx: Fixtures;
  let cell: AgencyRef;
  let police: AgencyRef;
  let partner: AgencyRef;
  let oversight: AgencyRef;
  let policeOfficer: Actor;
  let partnerOfficer: Actor;
  let analyst: Actor;
  let cellAuditor: Actor;
  let oversightAuditor: Actor;
  let partnerAuditor: Actor;
  let reportId: string;
  /** A phone number searched by both the police officer and the partner officer: search terms are in the events' details. */
  let phone: string;
  /** The request id of an anonymous failed login (unknown user): an event with no actor. */
  let anonymousLogin: string;
  /** The request id of a failed login with a partner user's name: its actor is that user. */
  let partnerLoginFailure: string;

  const search = (auditor: Actor, query: Record<string, string>) => t.allPages<EventView>('/api/v1/audit-events', auditor.token, { limit: '200', ...query }, 50);

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    cell = await fx.fusionCell();
    police = await fx.agency('POLICE', 'SECRET');
    partner = await fx.agency('FOREIGN_PARTNER', 'SECRET');
    oversight = await fx.agency('OVERSIGHT', 'UNCLASSIFIED');
    policeOfficer = await fx.user(police, ['OFFICER'], 'SECRET');
    partnerOfficer = await fx.user(partner, ['OFFICER'], 'SECRET');
    analyst = await fx.user(cell, ['ANALYST'], 'SECRET');
    cellAuditor = await fx.user(cell, ['AUDITOR'], 'UNCLASSIFIED');
    oversightAuditor = await fx.user(oversight, ['AUDITOR'], 'UNCLASSIFIED');
    partnerAuditor = await fx.user(partner, ['AUDITOR'], 'UNCLASSIFIED');

    phone = `+44 7700 ${String(Math.floor(100_000 + Math.random() * 899_999))}`;
    const created = await t.post('/api/v1/reports', {
      token: policeOfficer.token,
      body: reportBody({ releasableTo: [partner.code], entities: [{ type: 'PHONE', value: phone }] }),
    });
    expect(created.status).toBe(201);
    reportId = created.body.id;
    expect((await t.get(`/api/v1/reports/${reportId}`, { token: analyst.token })).status).toBe(200);
    expect((await t.get(`/api/v1/reports/${reportId}`, { token: partnerOfficer.token })).status).toBe(200);
    for (const who of [policeOfficer, partnerOfficer]) {
      expect((await t.get('/api/v1/entities/search', { token: who.token, query: { type: 'PHONE', value: phone } })).status).toBe(200);
    }
    const anon = await t.post('/api/v1/auth/login', { body: { username: `nobody-${uniq().toLowerCase()}`, password: 'wrong-password-x' } });
    expect(anon.status).toBe(401);
    anonymousLogin = String(anon.headers['x-request-id']);
    const wrong = await t.post('/api/v1/auth/login', { body: { username: partnerOfficer.username, password: `${PASSWORD}-not` } });
    expect(wrong.status).toBe(401);
    partnerLoginFailure = String(wrong.headers['x-request-id']);
    await t.audit.flush();
  });
  afterAll(() => t.close());

  it('an OVERSIGHT agency can be created, and is listed with its kind', async () => {
    expect(oversight.kind).toBe('OVERSIGHT');
    const list = await t.get('/api/v1/agencies', { token: partnerAuditor.token });
    expect(list.body.find((a: AgencyRef) => a.id === oversight.id)).toMatchObject({ kind: 'OVERSIGHT' });
  });

  it('a foreign partner’s auditor sees only its own agency’s actors’ events: no other agency’s search terms, reads or hits', async () => {
    const { items } = await search(partnerAuditor, {});
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((e) => e.agencyId !== partner.id)).toEqual([]);
    // Its own agency's actors: the officer's read and search, and the failed login under the officer's name.
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'report.read', actorId: partnerOfficer.id, resourceId: reportId }),
        expect.objectContaining({ action: 'entity.search', actorId: partnerOfficer.id }),
        expect.objectContaining({ action: 'auth.login', outcome: 'FAILED', requestId: partnerLoginFailure, actorId: partnerOfficer.id }),
      ]),
    );
    // Not another agency's search terms (the police officer searched the same number), nor events with no actor.
    expect(items.some((e) => e.actorId === policeOfficer.id || e.actorId === analyst.id)).toBe(false);
    expect(items.some((e) => e.requestId === anonymousLogin)).toBe(false);
    expect(items.filter((e) => e.action === 'entity.search').every((e) => e.actorId !== null && e.agencyId === partner.id)).toBe(true);
  });

  it('a partner auditor’s filters cannot reach outside its scope: ?resourceId=, ?actorId=, ?agencyId=', async () => {
    const byResource = await search(partnerAuditor, { resourceId: reportId });
    // The report's creation by the police and its read by the cell are not theirs; the partner officer's read and search are.
    expect(byResource.items.map((e) => [e.action, e.actorId])).toEqual([
      ['report.read', partnerOfficer.id],
      ['entity.search', partnerOfficer.id],
    ]);
    expect((await search(partnerAuditor, { actorId: policeOfficer.id })).items).toEqual([]);
    expect((await search(partnerAuditor, { agencyId: police.id })).items).toEqual([]);
    expect((await search(partnerAuditor, { agencyId: cell.id })).items).toEqual([]);
  });

  it('a partner auditor’s export, NDJSON and CSV, holds only its own agency’s actors’ events', async () => {
    const nd = await t.get('/api/v1/audit-events/export', { token: partnerAuditor.token, query: { format: 'ndjson' } });
    expect(nd.status).toBe(200);
    const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l) as EventView);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((e) => e.agencyId !== partner.id)).toEqual([]);
    expect(lines.some((e) => e.action === 'report.read' && e.actorId === partnerOfficer.id)).toBe(true);
    expect(lines.some((e) => e.actorId === policeOfficer.id || e.actorId === analyst.id || e.actorId === null)).toBe(false);

    const csv = await t.get('/api/v1/audit-events/export', { token: partnerAuditor.token, query: { format: 'csv', resourceId: reportId } });
    expect(csv.status).toBe(200);
    const rows = csv.text.trim().split('\n');
    const header = rows[0].split(',');
    const agencyCol = header.indexOf('agencyId');
    const actorCol = header.indexOf('actorId');
    const actionCol = header.indexOf('action');
    // (The columns before `details` hold no commas.)
    expect(rows.slice(1).map((r) => r.split(',')).map((c) => [c[actionCol], c[actorCol], c[agencyCol]])).toEqual([
      ['report.read', partnerOfficer.id, partner.id],
      ['entity.search', partnerOfficer.id, partner.id],
    ]);
  });

  it('the cell’s auditor and an OVERSIGHT agency’s auditor see every event: every agency’s actors and events with none', async () => {
    for (const auditor of [cellAuditor, oversightAuditor]) {
      const byResource = await search(auditor, { resourceId: reportId });
      expect(byResource.items.map((e) => [e.action, e.actorId])).toEqual(
        expect.arrayContaining([
          ['report.create', policeOfficer.id],
          ['report.read', analyst.id],
          ['report.read', partnerOfficer.id],
        ]),
      );
      const searches = await search(auditor, { action: 'entity.search', actorId: policeOfficer.id });
      expect(searches.items.map((e) => e.details?.value)).toContain(phone.replace(/ /g, ''));
      const failed = await search(auditor, { action: 'auth.login', outcome: 'FAILED', from: new Date(Date.now() - 600_000).toISOString() });
      expect(failed.items).toEqual(expect.arrayContaining([expect.objectContaining({ requestId: anonymousLogin, actorId: null, agencyId: null })]));
      const nd = await t.get('/api/v1/audit-events/export', { token: auditor.token, query: { format: 'ndjson', resourceId: reportId } });
      expect(new Set(nd.text.trim().split('\n').map((l) => (JSON.parse(l) as EventView).agencyId))).toEqual(new Set([police.id, cell.id, partner.id]));
      const csv = await t.get('/api/v1/audit-events/export', { token: auditor.token, query: { format: 'csv', resourceId: reportId } });
      expect(csv.text).toContain(policeOfficer.id);
    }
  });

  it('a scoped auditor may verify the chain: chain-wide facts, no event content', async () => {
    const res = await t.get('/api/v1/audit-events/verify', { token: partnerAuditor.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['checked', 'headHash', 'headSeq', 'valid']);
    expect(res.body.valid).toBe(true);
  });

  it('other roles of a partner agency still get 403 on the audit log', async () => {
    expect(await t.get('/api/v1/audit-events', { token: partnerOfficer.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect(await t.get('/api/v1/audit-events/export', { token: partnerOfficer.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
  });

  it("a scoped auditor sees only the deliveries to their own agency, and none of an assessment not sent there (404)", async () => {
    const supervisor = await fx.user(cell, ['SUPERVISOR'], 'SECRET');
    const publish = async (agencyCodes: string[]) => {
      const body = {
        title: `scope ${uniq()}`, keyJudgements: ['k'], body: 'b', likelihood: 'LIKELY', recommendedLevel: 'MODERATE',
        scope: 'REGIONAL', region: 'NORTH', sectors: [], reportIds: [], classification: 'RESTRICTED', compartments: [], tlp: 'AMBER',
        validUntil: new Date(Date.now() + 86_400_000).toISOString(), distribution: { agencyCodes },
      };
      const draft = await t.post('/api/v1/assessments', { token: analyst.token, body });
      expect(draft.status).toBe(201);
      expect((await t.post(`/api/v1/assessments/${draft.body.id}/submit`, { token: analyst.token })).status).toBe(200);
      expect((await t.post(`/api/v1/assessments/${draft.body.id}/publish`, { token: supervisor.token })).status).toBe(200);
      return draft.body.id as string;
    };
    const both = await publish([police.code, partner.code]);
    const policeOnly = await publish([police.code]);
    const codes = async (who: Actor, id: string) => {
      const res = await t.get(`/api/v1/assessments/${id}/disseminations`, { token: who.token });
      return res.status === 200 ? (res.body as { agencyCode: string }[]).map((d) => d.agencyCode).sort() : res.status;
    };
    expect(await codes(partnerAuditor, both)).toEqual([partner.code]);
    expect(await codes(partnerAuditor, policeOnly)).toBe(404);
    expect(await codes(cellAuditor, both)).toEqual([partner.code, police.code].sort());
    expect(await codes(oversightAuditor, policeOnly)).toEqual([police.code]);
  });
});

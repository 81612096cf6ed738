// Over 300 lines: correlation, assessments and the threat level run as one story on shared actors.
import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

function assessmentBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    title: 'Attack planning against transport hubs',
    keyJudgements: ['A cell is acquiring precursors', 'An attack within weeks is likely'],
    body: 'Reporting from police and customs indicates coordinated purchases.',
    likelihood: 'LIKELY',
    recommendedLevel: 'SUBSTANTIAL',
    scope: 'NATIONAL',
    sectors: ['TRANSPORT'],
    reportIds: [],
    classification: 'SECRET',
    compartments: [],
    tlp: 'AMBER',
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    distribution: { all: true },
    ...overrides,
  };
}

describe('fusion: correlation, assessments under the two-person rule, and the threat level', () => {
  let t: TestApp;
  let fx: Fixtures;
  let police: AgencyRef, customs: AgencyRef, border: AgencyRef, other: AgencyRef;
  let policeOfficer: Actor, customsOfficer: Actor, borderOfficer: Actor, otherOfficer: Actor;
  let analyst: Actor, analyst2: Actor, lowAnalyst: Actor, supervisor: Actor, supervisor2: Actor;
  const phone = `+44 7911 ${Math.floor(Math.random() * 1e6).toString().padStart(6, '0')}`; // not the demo's or retention's 7700 9…
  // A plate of this run only: the suites share one database, and other suites (reports, the demo) file
  // reports with 'AB12 CDE', which would correlate with these.
  const plate = `FX${Math.floor(Math.random() * 1e6).toString().padStart(6, '0')}`;
  let r1: string, r2: string, r3: string;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    [police, customs, border, other] = await Promise.all([
      fx.agency('POLICE', 'TOP_SECRET'),
      fx.agency('CUSTOMS', 'SECRET'),
      fx.agency('BORDER', 'CONFIDENTIAL'),
      fx.agency('PUBLIC_HEALTH', 'SECRET'),
    ]);
    policeOfficer = await fx.user(police, ['OFFICER'], 'SECRET');
    customsOfficer = await fx.user(customs, ['OFFICER'], 'SECRET');
    borderOfficer = await fx.user(border, ['OFFICER'], 'CONFIDENTIAL');
    otherOfficer = await fx.user(other, ['OFFICER'], 'SECRET');
    analyst = await fx.user(cell, ['ANALYST'], 'TOP_SECRET', ['HUMINT']);
    analyst2 = await fx.user(cell, ['ANALYST'], 'TOP_SECRET', ['HUMINT']);
    lowAnalyst = await fx.user(cell, ['ANALYST'], 'RESTRICTED');
    supervisor = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET', ['HUMINT']);
    supervisor2 = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET', ['HUMINT']);

    const submit = async (who: Actor, overrides: Record<string, unknown>) => {
      const res = await t.post('/api/v1/reports', { token: who.token, body: reportBody(overrides) });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    r1 = await submit(policeOfficer, { title: 'Police: precursor purchase', tlp: 'AMBER', classification: 'CONFIDENTIAL', entities: [{ type: 'PHONE', value: phone }, { type: 'VEHICLE', value: `${plate.slice(0, 4).toLowerCase()} ${plate.slice(4).toLowerCase()}` }] });
    r2 = await submit(customsOfficer, { title: 'Customs: SECRET-SHIPMENT-TITLE', tlp: 'AMBER', classification: 'SECRET', entities: [{ type: 'PHONE', value: phone.replace(/ /g, '') }] });
    r3 = await submit(borderOfficer, { title: 'Border: crossing', tlp: 'GREEN', classification: 'RESTRICTED', entities: [{ type: 'PHONE', value: phone.replace('+44 ', '+44-') }, { type: 'VEHICLE', value: `${plate.slice(0, 4)}-${plate.slice(4)}` }] });
  });
  afterAll(() => t.close());

  describe('correlation and hit/no-hit', () => {
    it('shows an officer the correlations they may read, and only a pointer for the rest', async () => {
      const res = await t.get(`/api/v1/reports/${r1}/correlations`, { token: policeOfficer.token });
      expect(res.status).toBe(200);
      const digits = `+44${phone.replace(/\D/g, '').slice(2)}`;
      expect(res.body.items).toEqual([
        { reportId: r3, sharedEntities: [{ type: 'PHONE', value: digits }, { type: 'VEHICLE', value: plate }], sharedEntityCount: 2 },
      ]);
      expect(res.body.hiddenMatches).toEqual([{ agencyCode: customs.code, count: 1 }]);
      // Nothing of the unreadable report leaks: not its id, not its title.
      expect(res.text).not.toContain(r2);
      expect(res.text).not.toContain('SECRET-SHIPMENT-TITLE');
    });

    it('shows the cell analyst every correlation and no hidden matches', async () => {
      const res = await t.get(`/api/v1/reports/${r1}/correlations`, { token: analyst.token });
      expect(res.body.items.map((i: { reportId: string }) => i.reportId).sort()).toEqual([r2, r3].sort());
      expect(res.body.hiddenMatches).toEqual([]);
    });

    it('answers 404 for correlations of a report the caller may not read', async () => {
      expect((await t.get(`/api/v1/reports/${r2}/correlations`, { token: otherOfficer.token })).status).toBe(404);
    });

    it('searches a raw value: readable ids and per-agency pointers, the value normalised first', async () => {
      const res = await t.get('/api/v1/entities/search', { token: otherOfficer.token, query: { type: 'PHONE', value: phone.replace(/ /g, '  ') } });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([r3]);
      expect(res.body.hiddenMatches).toEqual(
        [
          { agencyCode: police.code, count: 1 },
          { agencyCode: customs.code, count: 1 },
        ].sort((a, b) => a.agencyCode.localeCompare(b.agencyCode)),
      );
      expect(res.text).not.toContain(r1);
      expect(res.text).not.toContain(r2);
      const none = await t.get('/api/v1/entities/search', { token: otherOfficer.token, query: { type: 'PHONE', value: '+1 555 000 0000 99' } });
      expect(none.body).toEqual({ items: [], nextCursor: null, hiddenMatches: [], truncated: false });
      expect((await t.get('/api/v1/entities/search', { token: otherOfficer.token, query: { type: 'SHOE', value: 'x' } })).status).toBe(400);
    });

    it('gives AUDITOR and ADMIN no pointers: the entity search is not an index of holdings for the roles kept from content', async () => {
      for (const role of ['AUDITOR', 'ADMIN'] as const) {
        const user = await fx.user(other, [role]);
        const res = await t.get('/api/v1/entities/search', { token: user.token, query: { type: 'PHONE', value: phone } });
        expect([role, res.status, res.body]).toEqual([role, 200, { items: [], nextCursor: null, hiddenMatches: [], truncated: false }]);
      }
    });

    it('audits correlations and searches with the ids they returned', async () => {
      await t.audit.flush();
      const rows = await t.ds.query(`SELECT action, outcome, resource_id, resource_ids FROM audit_event WHERE actor_id = $1 AND action IN ('report.correlate', 'entity.search') ORDER BY seq`, [otherOfficer.id]);
      // The refused correlation (404) is a DENIED event; the invalid search (400) never reached the service.
      expect(rows.map((r: { action: string; outcome: string }) => [r.action, r.outcome])).toEqual([
        ['report.correlate', 'DENIED'],
        ['entity.search', 'ALLOWED'],
        ['entity.search', 'ALLOWED'],
      ]);
      expect(rows[0].resource_id).toBe(r2);
      expect(rows[1].resource_ids).toEqual([r3]);
      const own = await t.ds.query(`SELECT resource_ids FROM audit_event WHERE actor_id = $1 AND action = 'report.correlate' AND resource_id = $2`, [policeOfficer.id, r1]);
      expect(own[0].resource_ids).toEqual([r3]);
    });
  });

  describe('assessments', () => {
    let published: string;

    it('enforces derivative marking, naming the offending reports', async () => {
      const low = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody({ reportIds: [r1, r2, r3], classification: 'CONFIDENTIAL', tlp: 'AMBER' }) });
      expect(low).toMatchObject({ status: 422, body: { code: 'DERIVATIVE_MARKING' } });
      expect(low.body.reportIds).toEqual([r2]);
      const lowTlp = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody({ reportIds: [r1, r2, r3], tlp: 'GREEN' }) });
      expect(lowTlp).toMatchObject({ status: 422, body: { code: 'DERIVATIVE_MARKING' } });
      expect(lowTlp.body.reportIds.sort()).toEqual([r1, r2].sort());
    });

    it('takes cited report ids in upper case as the same ids (and refuses one cited twice in two spellings)', async () => {
      const res = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody({ reportIds: [r1.toUpperCase(), r2.toUpperCase(), r3] }) });
      expect(res.status).toBe(201);
      expect([...res.body.reportIds].sort()).toEqual([r1, r2, r3].sort());
      const twice = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody({ reportIds: [r1, r1.toUpperCase()] }) });
      expect(twice.body).toMatchObject({ statusCode: 400, code: 'VALIDATION', fields: ['reportIds'] });
    });

    it('refuses to cite a report the author cannot read (422), and markings above the author (403)', async () => {
      const res = await t.post('/api/v1/assessments', { token: lowAnalyst.token, body: assessmentBody({ reportIds: [r2], classification: 'RESTRICTED' }) });
      expect(res).toMatchObject({ status: 422, body: { code: 'CITES_UNREADABLE_REPORT' } });
      expect(res.body.reportIds).toEqual([r2]);
      const above = await t.post('/api/v1/assessments', { token: lowAnalyst.token, body: assessmentBody({ classification: 'SECRET' }) });
      expect(above).toMatchObject({ status: 403, body: { code: 'MARKING_ABOVE_CLEARANCE' } });
      expect(await t.post('/api/v1/assessments', { token: policeOfficer.token, body: assessmentBody() })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    });

    it('drafts, edits (author only), submits and publishes under the two-person rule', async () => {
      const created = await t.post('/api/v1/assessments', {
        token: analyst.token,
        body: assessmentBody({
          reportIds: [r1, r2, r3],
          distribution: { agencyCodes: [police.code, customs.code, border.code] },
          tearline: { summary: 'Heightened risk to transport hubs; report suspicious purchases.', classification: 'RESTRICTED', tlp: 'GREEN' },
        }),
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'DRAFT', variant: 'FULL', authorId: analyst.id, reportIds: [r1, r2, r3] });
      const id = created.body.id as string;

      // Drafts stay in the cell.
      expect((await t.get(`/api/v1/assessments/${id}`, { token: policeOfficer.token })).status).toBe(404);
      expect((await t.get(`/api/v1/assessments/${id}`, { token: analyst2.token })).status).toBe(200);

      expect(await t.call('PATCH', `/api/v1/assessments/${id}`, { token: analyst2.token, body: { title: 'hijacked' } })).toMatchObject({ status: 403, body: { code: 'NOT_AUTHOR' } });
      const edited = await t.call('PATCH', `/api/v1/assessments/${id}`, { token: analyst.token, body: { title: 'Attack planning: transport hubs' } });
      expect(edited.status).toBe(200);
      expect(edited.body.title).toBe('Attack planning: transport hubs');
      const badEdit = await t.call('PATCH', `/api/v1/assessments/${id}`, { token: analyst.token, body: { classification: 'RESTRICTED' } });
      expect(badEdit).toMatchObject({ status: 422, body: { code: 'DERIVATIVE_MARKING' } });

      expect(await t.post(`/api/v1/assessments/${id}/publish`, { token: supervisor.token })).toMatchObject({ status: 409, body: { code: 'WRONG_STATE' } });
      expect(await t.post(`/api/v1/assessments/${id}/submit`, { token: analyst2.token })).toMatchObject({ status: 403, body: { code: 'NOT_AUTHOR' } });
      const submitted = await t.post(`/api/v1/assessments/${id}/submit`, { token: analyst.token });
      expect(submitted.status).toBe(200);
      expect(submitted.body.status).toBe('IN_REVIEW');
      expect(await t.call('PATCH', `/api/v1/assessments/${id}`, { token: analyst.token, body: { title: 'late' } })).toMatchObject({ status: 409, body: { code: 'WRONG_STATE' } });
      expect(await t.post(`/api/v1/assessments/${id}/publish`, { token: analyst2.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });

      const pub = await t.post(`/api/v1/assessments/${id}/publish`, { token: supervisor.token });
      expect(pub.status).toBe(200);
      expect(pub.body).toMatchObject({ status: 'PUBLISHED', publishedBy: supervisor.id });
      expect(await t.post(`/api/v1/assessments/${id}/publish`, { token: supervisor2.token })).toMatchObject({ status: 409, body: { code: 'WRONG_STATE' } });
      published = id;
    });

    it('refuses a supervisor publishing their own assessment (422)', async () => {
      const own = await t.post('/api/v1/assessments', { token: supervisor.token, body: assessmentBody() });
      await t.post(`/api/v1/assessments/${own.body.id}/submit`, { token: supervisor.token });
      const res = await t.post(`/api/v1/assessments/${own.body.id}/publish`, { token: supervisor.token });
      expect(res).toMatchObject({ status: 422, body: { code: 'TWO_PERSON_RULE' } });
      expect((await t.post(`/api/v1/assessments/${own.body.id}/publish`, { token: supervisor2.token })).status).toBe(200);
    });

    it('gives each reader the full text, the tearline only, or 404', async () => {
      const full = await t.get(`/api/v1/assessments/${published}`, { token: policeOfficer.token });
      expect(full.status).toBe(200);
      expect(full.body.variant).toBe('FULL');
      // Cited reports the reader cannot read are not disclosed.
      expect(full.body.reportIds.sort()).toEqual([r1, r3].sort());

      const tear = await t.get(`/api/v1/assessments/${published}`, { token: borderOfficer.token });
      expect(tear.status).toBe(200);
      expect(tear.body).toEqual({
        id: published,
        variant: 'TEARLINE',
        tearline: { summary: 'Heightened risk to transport hubs; report suspicious purchases.', classification: 'RESTRICTED', tlp: 'GREEN' },
      });
      const notOnDistribution = await t.get(`/api/v1/assessments/${published}`, { token: otherOfficer.token });
      expect(notOnDistribution.status).toBe(404);

      const list = await t.get('/api/v1/assessments', { token: borderOfficer.token, query: { limit: '200' } });
      const item = list.body.items.find((i: { id: string }) => i.id === published);
      expect(item).toEqual(tear.body);
    });

    it('supersedes on publication', async () => {
      const next = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody({ supersedes: published, distribution: { agencyCodes: [police.code] } }) });
      expect(next.status).toBe(201);
      await t.post(`/api/v1/assessments/${next.body.id}/submit`, { token: analyst.token });
      expect((await t.post(`/api/v1/assessments/${next.body.id}/publish`, { token: supervisor.token })).status).toBe(200);
      const old = await t.get(`/api/v1/assessments/${published}`, { token: analyst.token });
      expect(old.body.supersededBy).toBe(next.body.id);
    });

    it('discloses a superseded assessment’s id only to who may read it, and lets only a supervisor who can read it approve the supersession', async () => {
      const draft = async (overrides: Record<string, unknown>) => {
        const res = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody(overrides) });
        expect(res.status).toBe(201);
        expect((await t.post(`/api/v1/assessments/${res.body.id}/submit`, { token: analyst.token })).status).toBe(200);
        return res.body.id as string;
      };
      // The old one goes to police only; the new one, to police and customs, supersedes it.
      const oldId = await draft({ distribution: { agencyCodes: [police.code] }, recommendedLevel: 'LOW' });
      expect((await t.post(`/api/v1/assessments/${oldId}/publish`, { token: supervisor.token })).status).toBe(200);
      const newId = await draft({ classification: 'RESTRICTED', supersedes: oldId, distribution: { agencyCodes: [police.code, customs.code] }, recommendedLevel: 'LOW' });

      const lowSupervisor = await fx.user(await fx.fusionCell(), ['SUPERVISOR'], 'CONFIDENTIAL');
      const refused = await t.post(`/api/v1/assessments/${newId}/publish`, { token: lowSupervisor.token });
      expect(refused).toMatchObject({ status: 422, body: { code: 'SUPERSEDES_UNREADABLE' } });
      expect(refused.body.fields).toEqual(['supersedes']);
      expect((await t.get(`/api/v1/assessments/${oldId}`, { token: analyst.token })).body.supersededBy).toBeNull();
      expect((await t.post(`/api/v1/assessments/${newId}/publish`, { token: supervisor2.token })).status).toBe(200);

      expect((await t.get(`/api/v1/assessments/${newId}`, { token: policeOfficer.token })).body.supersedes).toBe(oldId);
      expect((await t.get(`/api/v1/assessments/${oldId}`, { token: customsOfficer.token })).status).toBe(404);
      const seen = await t.get(`/api/v1/assessments/${newId}`, { token: customsOfficer.token });
      expect(seen.status).toBe(200);
      expect(seen.body.supersedes).toBeNull();
      const listed = await t.get('/api/v1/assessments', { token: customsOfficer.token, query: { limit: '200' } });
      expect(listed.body.items.find((i: { id: string }) => i.id === newId).supersedes).toBeNull();
      const sent = await t.ds.query(`SELECT agency_code, content->'supersedes' AS supersedes FROM dissemination WHERE assessment_id = $1 ORDER BY agency_code`, [newId]);
      expect(Object.fromEntries(sent.map((d: { agency_code: string; supersedes: string | null }) => [d.agency_code, d.supersedes]))).toEqual({ [police.code]: oldId, [customs.code]: null });

      // The other way round: customs may read the old one but not its successor, so it learns neither the
      // successor's id nor that there is one.
      const old2 = await draft({ distribution: { agencyCodes: [police.code, customs.code] }, recommendedLevel: 'LOW' });
      expect((await t.post(`/api/v1/assessments/${old2}/publish`, { token: supervisor.token })).status).toBe(200);
      const new2 = await draft({ supersedes: old2, distribution: { agencyCodes: [police.code] }, recommendedLevel: 'LOW' });
      expect((await t.post(`/api/v1/assessments/${new2}/publish`, { token: supervisor2.token })).status).toBe(200);
      expect((await t.get(`/api/v1/assessments/${old2}`, { token: policeOfficer.token })).body).toMatchObject({ supersededBy: new2, supersededAt: expect.any(String) });
      expect((await t.get(`/api/v1/assessments/${old2}`, { token: customsOfficer.token })).body).toMatchObject({ supersededBy: null, supersededAt: null });
    });
  });

  describe('national threat level', () => {
    const publish = async (overrides: Record<string, unknown>) => {
      const a = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody(overrides) });
      expect(a.status).toBe(201);
      await t.post(`/api/v1/assessments/${a.body.id}/submit`, { token: analyst.token });
      const p = await t.post(`/api/v1/assessments/${a.body.id}/publish`, { token: supervisor.token });
      expect(p.status).toBe(200);
      return a.body.id as string;
    };
    const recommendation = async () => (await t.get('/api/v1/threat-level/recommendation', { token: supervisor.token })).body;

    it('is public: level and since, nothing else', async () => {
      const res = await t.get('/api/v1/threat-level');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['level', 'since']);
    });

    it('recommends the highest level among published, unexpired, unsuperseded national assessments', async () => {
      // This file is the only one that publishes assessments, so the recommendation is ours to steer.
      const before = await recommendation();
      const severe = await publish({ recommendedLevel: 'SEVERE', title: `severe ${uniq()}` });
      const regional = await publish({ recommendedLevel: 'CRITICAL', scope: 'REGIONAL', region: 'NORTH' });
      let rec = await recommendation();
      expect(rec.level).toBe('SEVERE');
      expect(rec.contributing[0]).toEqual({ assessmentId: severe, recommendedLevel: 'SEVERE' });
      expect(rec.contributing.map((c: { assessmentId: string }) => c.assessmentId)).not.toContain(regional);

      const moderate = await publish({ recommendedLevel: 'MODERATE', supersedes: severe });
      rec = await recommendation();
      expect(rec.level).toBe(before.level === 'LOW' ? 'SUBSTANTIAL' : before.level);
      expect(rec.contributing.map((c: { assessmentId: string }) => c.assessmentId)).toContain(moderate);
      expect(rec.contributing.map((c: { assessmentId: string }) => c.assessmentId)).not.toContain(severe);

      const critical = await publish({ recommendedLevel: 'CRITICAL' });
      expect((await recommendation()).level).toBe('CRITICAL');
      // Expiry: as if validUntil had passed.
      await t.ds.query(`UPDATE assessment SET valid_until = now() - interval '1 minute' WHERE id = $1`, [critical]);
      expect((await recommendation()).level).not.toBe('CRITICAL');

      expect(await t.get('/api/v1/threat-level/recommendation', { token: policeOfficer.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    });

    it('is set by a supervisor citing a published assessment; history is append-only', async () => {
      const draft = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody() });
      const body = { level: 'SEVERE', justification: 'Attack planning assessed as likely', assessmentIds: [draft.body.id] };
      expect(await t.post('/api/v1/threat-level', { token: supervisor.token, body })).toMatchObject({ status: 422, body: { code: 'ASSESSMENT_NOT_CITABLE' } });
      expect(await t.post('/api/v1/threat-level', { token: supervisor.token, body: { ...body, assessmentIds: [] } })).toMatchObject({ status: 400, body: { code: 'VALIDATION' } });
      const cited = await publish({ recommendedLevel: 'SEVERE' });
      expect(await t.post('/api/v1/threat-level', { token: analyst.token, body: { ...body, assessmentIds: [cited] } })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
      const set = await t.post('/api/v1/threat-level', { token: supervisor.token, body: { ...body, assessmentIds: [cited] } });
      expect(set.status).toBe(201);
      expect(set.body).toMatchObject({ level: 'SEVERE', setBy: supervisor.id, assessmentIds: [cited] });

      const pub = await t.get('/api/v1/threat-level');
      expect(pub.body).toEqual({ level: 'SEVERE', since: set.body.since });
      const history = await t.get('/api/v1/threat-level/history', { token: policeOfficer.token });
      expect(history.body[0]).toEqual(set.body);
      // A reader who may not read the cited assessment (SECRET, no tearline; border is CONFIDENTIAL) is not given its id.
      expect((await t.get(`/api/v1/assessments/${cited}`, { token: borderOfficer.token })).status).toBe(404);
      expect((await t.get('/api/v1/threat-level/history', { token: borderOfficer.token })).body[0]).toEqual({ ...set.body, assessmentIds: [] });
      expect(history.body[history.body.length - 1]).toMatchObject({ level: 'LOW', setBy: null });
      await expect(t.ds.query(`UPDATE threat_level_change SET level = 'LOW'`)).rejects.toThrow(/append-only/);
      await expect(t.ds.query(`DELETE FROM threat_level_change`)).rejects.toThrow(/append-only/);
    });
  });
});

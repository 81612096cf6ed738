import { TestApp } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';

const WORKFLOW_FIELDS = ['authorId', 'publishedBy', 'distribution', 'submittedAt'];

/**
 * The full assessment view for readers outside the cell omits the cell's workflow fields (SPEC S1), as
 * the disseminated copy does; the cell's own readers keep them.
 */
describe('assessment view: the cell’s workflow fields stay in the cell', () => {
  let t: TestApp;
  let police: AgencyRef;
  let officer: Actor;
  let partnerOfficer: Actor;
  let analyst: Actor;
  let supervisor: Actor;
  let cellOfficer: Actor;
  let id: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    police = await fx.agency('POLICE', 'SECRET');
    const partner = await fx.agency('FOREIGN_PARTNER', 'SECRET');
    officer = await fx.user(police, ['OFFICER'], 'SECRET');
    partnerOfficer = await fx.user(partner, ['OFFICER'], 'SECRET');
    analyst = await fx.user(cell, ['ANALYST'], 'SECRET');
    supervisor = await fx.user(cell, ['SUPERVISOR'], 'SECRET');
    cellOfficer = await fx.user(cell, ['OFFICER'], 'SECRET');
    const created = await t.post('/api/v1/assessments', {
      token: analyst.token,
      body: {
        title: 'Workflow fields',
        keyJudgements: ['Judgement'],
        body: 'Body.',
        likelihood: 'LIKELY',
        recommendedLevel: 'SUBSTANTIAL',
        scope: 'NATIONAL',
        sectors: ['TRANSPORT'],
        reportIds: [],
        classification: 'CONFIDENTIAL',
        compartments: [],
        tlp: 'AMBER',
        validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        distribution: { all: true },
      },
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    expect((await t.post(`/api/v1/assessments/${id}/submit`, { token: analyst.token })).status).toBe(200);
    expect((await t.post(`/api/v1/assessments/${id}/publish`, { token: supervisor.token })).status).toBe(200);
  });
  afterAll(() => t.close());

  it('an officer of another agency reads it in FULL without authorId, publishedBy, distribution or submittedAt (single read and list)', async () => {
    for (const reader of [officer, partnerOfficer]) {
      const one = await t.get(`/api/v1/assessments/${id}`, { token: reader.token });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id, variant: 'FULL', status: 'PUBLISHED', title: 'Workflow fields', body: 'Body.', publishedAt: expect.any(String) });
      for (const field of WORKFLOW_FIELDS) expect([field, field in one.body]).toEqual([field, false]);
      // Nothing of them under another name either: no user id of the cell.
      expect(one.text).not.toContain(analyst.id);
      expect(one.text).not.toContain(supervisor.id);
      const { items } = await t.allPages<Record<string, unknown>>('/api/v1/assessments', reader.token, { limit: '200' });
      const listed = items.find((a) => a.id === id);
      expect(listed).toMatchObject({ variant: 'FULL', title: 'Workflow fields' });
      for (const field of WORKFLOW_FIELDS) expect([field, field in listed!]).toEqual([field, false]);
    }
  });

  it('the cell’s readers still get them: an analyst, and an officer of the cell', async () => {
    for (const reader of [analyst, cellOfficer]) {
      const one = await t.get(`/api/v1/assessments/${id}`, { token: reader.token });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({
        authorId: analyst.id,
        publishedBy: supervisor.id,
        distribution: { all: true },
        submittedAt: expect.any(String),
      });
      const { items } = await t.allPages<Record<string, unknown>>('/api/v1/assessments', reader.token, { limit: '200' });
      expect(items.find((a) => a.id === id)).toMatchObject({ authorId: analyst.id, publishedBy: supervisor.id });
    }
  });
});

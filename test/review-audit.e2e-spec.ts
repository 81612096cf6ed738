import { randomUUID } from 'node:crypto';
import { AuditReceiptService } from '../src/audit/audit-receipt.service';
import { systemContext } from '../src/access/request-context';
import { TestApp, uniq } from './support/test-app';
import { type Actor, Fixtures } from './support/agencies-and-users';

/**
 * Review of S1's audit paths (review-audit): findings fixed, each with the test that failed before.
 */
describe('review: audit and data paths of S1', () => {
  let t: TestApp;
  let fx: Fixtures;
  let auditor: Actor;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = new Fixtures(t);
    auditor = await fx.user(await fx.fusionCell(), ['AUDITOR'], 'UNCLASSIFIED');
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  describe('verification is not a cheap denial of service', () => {
    it('concurrent verifications share one walk of the chain at a time, each covering what was committed before its call', async () => {
      const walks = jest.spyOn(t.audit, 'verify');
      const first = t.audit.verifyShared();
      // Committed after the first walk began: a caller who asks now must not be given that walk's answer.
      const ctx = systemContext(`review-audit-${Date.now()}`);
      await t.writer.record(ctx, { action: 'review.probe', outcome: 'ALLOWED' });
      const later = await Promise.all(Array.from({ length: 8 }, () => t.audit.verifyShared()));
      await first;
      await t.audit.flush();
      const [probe] = await t.ds.query<{ seq: string }[]>('SELECT seq FROM audit_event WHERE request_id = $1', [ctx.requestId]);
      expect(walks).toHaveBeenCalledTimes(2); // nine callers, two walks (not nine)
      for (const r of later) {
        expect(r.valid).toBe(true);
        expect(r.headSeq).toBeGreaterThanOrEqual(Number(probe.seq));
      }
      walks.mockRestore();
    });

    it('many verify-receipt calls at once walk the chain far fewer times than they are made, and all answer valid', async () => {
      const receipt = (await t.get('/api/v1/audit-events/head', { token: auditor.token })).body;
      const walks = jest.spyOn(t.audit, 'verify');
      const receipts = t.app.get(AuditReceiptService);
      const results = await Promise.all(Array.from({ length: 12 }, () => receipts.check(receipt)));
      expect(results.every((r) => r.valid)).toBe(true);
      expect(walks.mock.calls.length).toBeLessThan(12);
      walks.mockRestore();
      const res = await t.post('/api/v1/audit-events/verify-receipt', { token: auditor.token, body: receipt });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ valid: true, problem: null });
    });
  });

  describe('a scoped auditor learns nothing out of scope from their own events', () => {
    it('probing the dissemination list: a missing assessment and one not sent to their agency leave the same trace', async () => {
      const cell = await fx.fusionCell();
      const police = await fx.agency('POLICE', 'SECRET');
      const partner = await fx.agency('FOREIGN_PARTNER', 'SECRET');
      const analyst = await fx.user(cell, ['ANALYST'], 'SECRET');
      const supervisor = await fx.user(cell, ['SUPERVISOR'], 'SECRET');
      const partnerAuditor = await fx.user(partner, ['AUDITOR'], 'UNCLASSIFIED');
      const body = {
        title: `review ${uniq()}`, keyJudgements: ['k'], body: 'b', likelihood: 'LIKELY', recommendedLevel: 'MODERATE',
        scope: 'REGIONAL', region: 'NORTH', sectors: [], reportIds: [], classification: 'RESTRICTED', compartments: [], tlp: 'AMBER',
        validUntil: new Date(Date.now() + 86_400_000).toISOString(), distribution: { agencyCodes: [police.code] },
      };
      const draft = await t.post('/api/v1/assessments', { token: analyst.token, body });
      expect(draft.status).toBe(201);
      expect((await t.post(`/api/v1/assessments/${draft.body.id}/submit`, { token: analyst.token })).status).toBe(200);
      expect((await t.post(`/api/v1/assessments/${draft.body.id}/publish`, { token: supervisor.token })).status).toBe(200);

      const existing = draft.body.id as string;
      const missing = randomUUID();
      const answers = await Promise.all([existing, missing].map((id) => t.get(`/api/v1/assessments/${id}/disseminations`, { token: partnerAuditor.token })));
      expect(answers.map((r) => r.status)).toEqual([404, 404]);
      expect(answers[0].body.message).toBe(answers[1].body.message);

      const trace = async (id: string) => {
        const res = await t.get('/api/v1/audit-events', { token: partnerAuditor.token, query: { action: 'dissemination.list', resourceId: id } });
        expect(res.status).toBe(200);
        expect(res.body.items).toHaveLength(1);
        const { outcome, reason, details, resourceIds } = res.body.items[0];
        return { outcome, reason, details, resourceIds };
      };
      expect(await trace(existing)).toEqual(await trace(missing));
    });
  });
});

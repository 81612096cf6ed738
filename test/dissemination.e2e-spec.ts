// Over 300 lines: one publication followed from outbox to webhook and inbox, step by step on one set-up.
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { RelayService } from '../src/outbox/relay.service';
import { startWorker } from './support/in-process-worker';
import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';
import { assessmentBody, publishAssessment } from './support/assessment-factory';
import { DeliveryEnv } from './support/delivery-env';
import { waitFor } from './support/wait-for';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

/** Dissemination end to end: API + a running worker + real Redis + a local webhook receiver. */
describe('dissemination: outbox, queue, worker, signed webhooks, inbox', () => {
  const env = new DeliveryEnv('dissem');
  const receiver = env.receiver;
  let t: TestApp;
  let worker: INestApplicationContext;
  let fx: Fixtures;
  let cell: AgencyRef, full: AgencyRef, tear: AgencyRef, withheld: AgencyRef, broken: AgencyRef;
  let fullOfficer: Actor, tearOfficer: Actor, withheldOfficer: Actor, analyst: Actor, supervisor: Actor, auditor: Actor;
  let assessmentId: string;

  beforeAll(async () => {
    await env.start();
    t = await TestApp.start();
    worker = await startWorker();
    await worker.init();
    fx = new Fixtures(t);
    cell = await fx.fusionCell();
    [full, tear, withheld, broken] = await Promise.all([
      fx.agency('POLICE', 'TOP_SECRET'),
      fx.agency('CUSTOMS', 'CONFIDENTIAL'),
      fx.agency('FOREIGN_PARTNER', 'RESTRICTED'),
      fx.agency('BORDER', 'SECRET'),
    ]);
    fullOfficer = await fx.user(full, ['OFFICER'], 'SECRET');
    tearOfficer = await fx.user(tear, ['OFFICER'], 'CONFIDENTIAL');
    withheldOfficer = await fx.user(withheld, ['OFFICER'], 'RESTRICTED');
    await fx.user(broken, ['OFFICER'], 'SECRET'); // a cleared person: without one an agency gets no FULL copy (SPEC S1)
    analyst = await fx.user(cell, ['ANALYST'], 'TOP_SECRET');
    supervisor = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET');
    auditor = await fx.user(cell, ['AUDITOR'], 'UNCLASSIFIED');
    receiver.plan('/full', [500, 503, 200]);
    receiver.plan('/tear', [204]);
    receiver.plan('/broken', [500]);
    for (const [agency, path] of [[full, '/full'], [tear, '/tear'], [broken, '/broken']] as const) await env.hook(fx, agency, path, SECRET);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await env.stop();
  });

  const statuses = async () => (await t.get(`/api/v1/assessments/${assessmentId}/disseminations`, { token: analyst.token })).body as any[];
  const settled = async () => {
    const rows = await statuses();
    return rows.every((r) => !['PENDING', 'QUEUED'].includes(r.status)) ? rows : null;
  };

  it('validates webhook settings: http(s) only, no private addresses unless allowed, Standard Webhooks secrets', async () => {
    const put = async (body: { url: string; secret?: string }) => fx.webhook(withheld.id, body); // approved by the second ADMIN (SPEC S1)
    expect((await put({ url: 'ftp://example.org/x' })).status).toBe(400);
    expect((await put({ url: 'http://10.1.2.3/hook' })).status).toBe(400);
    expect((await put({ url: 'http://169.254.169.254/latest/meta-data' })).status).toBe(400);
    expect((await put({ url: 'http://[::1]:8080/x' })).status).toBe(400);
    expect((await put({ url: 'https://user:pw@example.org/x' })).status).toBe(400);
    expect(await put({ url: 'https://hooks.example.org/x', secret: 'not-a-secret' })).toMatchObject({ status: 400, body: { code: 'INVALID_WEBHOOK_SECRET' } });
    const generated = await put({ url: 'https://hooks.example.org/x' });
    expect(generated.status).toBe(200);
    expect(generated.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(await t.call('PUT', `/api/v1/agencies/${withheld.id}/webhook`, { token: fullOfficer.token, body: { url: 'https://x.example.org' } })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    // Leave the withheld agency without a webhook target that would be contacted.
    await t.ds.query(`UPDATE agency SET webhook_url = NULL, webhook_secret = NULL WHERE id = $1`, [withheld.id]);
  });

  it('publishing creates one dissemination per recipient with its variant, in the same transaction', async () => {
    const report = await t.post('/api/v1/reports', { token: fullOfficer.token, body: reportBody({ classification: 'SECRET', tlp: 'AMBER' }) });
    assessmentId = await publishAssessment(
      t,
      analyst,
      supervisor,
      assessmentBody({
        keyJudgements: ['Judgement one'],
        body: 'SECRET BODY TEXT',
        reportIds: [report.body.id],
        classification: 'SECRET',
        distribution: { agencyCodes: [full.code, tear.code, withheld.code, broken.code] },
        tearline: { summary: 'Sanitised summary for partners', classification: 'CONFIDENTIAL', tlp: 'GREEN' },
      }),
    );

    const rows = await statuses();
    expect(rows.map((r) => [r.agencyCode, r.variant]).sort()).toEqual(
      [
        [full.code, 'FULL'],
        [tear.code, 'TEARLINE'],
        [withheld.code, 'WITHHELD'],
        [broken.code, 'FULL'],
      ].sort(),
    );
    expect(rows.find((r) => r.agencyCode === withheld.code).status).toBe('WITHHELD');
  });

  it('delivers, retrying with backoff: fails twice then accepts → DELIVERED after 3 attempts, verifiable signatures, same webhook-id', async () => {
    const rows = await waitFor(settled, 'disseminations to settle');
    const byCode = Object.fromEntries(rows.map((r) => [r.agencyCode, r]));
    expect(byCode[full.code]).toMatchObject({ status: 'DELIVERED', attempts: 3 });
    expect(byCode[tear.code]).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    expect(byCode[broken.code]).toMatchObject({ status: 'FAILED', attempts: 4 });

    const posts = receiver.for('/full');
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.headers['webhook-id']))).toEqual(new Set([byCode[full.code].id]));
    expect(new Set(posts.map((p) => p.body)).size).toBe(1); // the item as the first attempt wrote it, on every retry
    const wh = new Webhook(SECRET);
    for (const p of posts) {
      const payload = wh.verify(p.body, p.headers as Record<string, string>) as any;
      expect(payload).toMatchObject({ id: byCode[full.code].id, kind: 'ASSESSMENT', assessmentId, variant: 'FULL' });
      expect(payload.content.body).toBe('SECRET BODY TEXT');
    }
    expect(() => new Webhook(`whsec_${Buffer.from('another-secret-another-secret!!').toString('base64')}`).verify(posts[0].body, posts[0].headers as Record<string, string>)).toThrow();

    const tearPost = JSON.parse(receiver.for('/tear')[0].body);
    expect(tearPost.variant).toBe('TEARLINE');
    expect(tearPost.content).toEqual({ assessmentId, tearline: { summary: 'Sanitised summary for partners', classification: 'CONFIDENTIAL', tlp: 'GREEN' } });
    expect(receiver.for('/tear')[0].body).not.toContain('SECRET BODY TEXT');
  });

  it('puts each item in the inbox exactly once, with the content of its variant only', async () => {
    const fullInbox = await t.get('/api/v1/inbox', { token: fullOfficer.token });
    const item = fullInbox.body.items.find((i: any) => i.assessmentId === assessmentId);
    expect(item).toMatchObject({ kind: 'ASSESSMENT', variant: 'FULL', acknowledgedAt: null });
    expect(item.content.body).toBe('SECRET BODY TEXT');

    const tearInbox = await t.get('/api/v1/inbox', { token: tearOfficer.token });
    const tearItem = tearInbox.body.items.find((i: any) => i.assessmentId === assessmentId);
    expect(tearItem.variant).toBe('TEARLINE');
    expect(JSON.stringify(tearItem)).not.toContain('SECRET BODY TEXT');

    // An officer of a FULL recipient cleared for neither the full text nor the tearline: the item is
    // there, without content and without the assessment's id (which would answer them 404).
    const fullItemId = (await statuses()).find((r) => r.agencyCode === full.code).id;
    const low = await fx.user(full, ['OFFICER'], 'RESTRICTED');
    const lowItem = (await t.get('/api/v1/inbox', { token: low.token })).body.items.find((i: any) => i.id === fullItemId);
    expect(lowItem).toEqual({ id: fullItemId, kind: 'ASSESSMENT', variant: 'WITHHELD', content: null, deliveredAt: expect.any(String), acknowledgedAt: null });
    expect((await t.get(`/api/v1/assessments/${assessmentId}`, { token: low.token })).status).toBe(404);
    // Its read is audited with what it returned: the item, not the assessment it was not shown.
    await t.audit.flush();
    const [listed] = await t.ds.query(`SELECT resource_ids FROM audit_event WHERE action = 'inbox.list' AND actor_id = $1 ORDER BY seq DESC LIMIT 1`, [low.id]);
    expect(listed.resource_ids).toContain(fullItemId);
    expect(listed.resource_ids).not.toContain(assessmentId);

    const withheldInbox = await t.get('/api/v1/inbox', { token: withheldOfficer.token });
    expect(withheldInbox.body.items.filter((i: any) => i.assessmentId === assessmentId)).toEqual([]);

    const counts = await t.ds.query(`SELECT agency_id, count(*)::int AS n FROM inbox_item WHERE assessment_id = $1 GROUP BY agency_id`, [assessmentId]);
    expect(counts.every((c: { n: number }) => c.n === 1)).toBe(true);
    expect(counts).toHaveLength(3); // FULL, TEARLINE and the broken agency's inbox; none for WITHHELD
  });

  it('acknowledges: the recipient agency’s officer only', async () => {
    const item = (await t.get('/api/v1/inbox', { token: fullOfficer.token })).body.items.find((i: any) => i.assessmentId === assessmentId);
    expect((await t.post(`/api/v1/inbox/${item.id}/acknowledge`, { token: tearOfficer.token })).status).toBe(404);
    expect(await t.post(`/api/v1/inbox/${item.id}/acknowledge`, { token: analyst.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    const ack = await t.post(`/api/v1/inbox/${item.id}/acknowledge`, { token: fullOfficer.token });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedAt).toEqual(expect.any(String));
    const rows = await statuses();
    expect(rows.find((r) => r.id === item.id)).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedAt: ack.body.acknowledgedAt });
  });

  it('redrives a FAILED delivery once the receiver is fixed', async () => {
    const failed = (await statuses()).find((r) => r.agencyCode === broken.code);
    expect(await t.post(`/api/v1/disseminations/${failed.id}/redrive`, { token: analyst.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    const delivered = (await statuses()).find((r) => r.agencyCode === full.code);
    expect(await t.post(`/api/v1/disseminations/${delivered.id}/redrive`, { token: supervisor.token })).toMatchObject({ status: 409, body: { code: 'NOT_REDRIVABLE' } });
    // A supervisor who may not read the (SECRET) assessment gets what a missing id gets, whatever the
    // row's status, and the attempt is audited as DENIED.
    const lowSupervisor = await fx.user(cell, ['SUPERVISOR'], 'CONFIDENTIAL');
    const missing = await t.post(`/api/v1/disseminations/${randomUUID()}/redrive`, { token: lowSupervisor.token });
    for (const id of [failed.id, delivered.id]) {
      const res = await t.post(`/api/v1/disseminations/${id}/redrive`, { token: lowSupervisor.token });
      expect([res.status, { ...res.body, requestId: null }]).toEqual([404, { ...missing.body, requestId: null }]);
    }
    await t.audit.flush();
    const denied = await t.ds.query(`SELECT reason FROM audit_event WHERE action = 'dissemination.redrive' AND actor_id = $1 AND outcome = 'DENIED' ORDER BY seq`, [lowSupervisor.id]);
    expect(denied.map((r: { reason: string }) => r.reason)).toEqual(['not found', 'need-to-know', 'need-to-know']);
    expect((await statuses()).find((r) => r.id === failed.id).status).toBe('FAILED');
    receiver.plan('/broken', [200]);
    // The row goes back to QUEUED without a job: the relay's repair pass queues it, asked for now
    // (not left to the five-second sweep).
    const kick = jest.spyOn(t.app.get(RelayService), 'kick');
    const redrive = await t.post(`/api/v1/disseminations/${failed.id}/redrive`, { token: supervisor.token });
    expect(redrive.status).toBe(200);
    expect(redrive.body.status).toBe('QUEUED');
    expect(kick).toHaveBeenCalledWith({ repair: true });
    kick.mockRestore();
    const after = await waitFor(async () => {
      const row = (await statuses()).find((r) => r.id === failed.id);
      return row.status === 'DELIVERED' ? row : null;
    }, 'the redriven delivery');
    expect(after.attempts).toBe(5);
    expect(new Set(receiver.for('/broken').map((p) => p.headers['webhook-id']))).toEqual(new Set([failed.id]));
  });

  it('audits every step, findable by the assessment and by the recipient agency', async () => {
    const byAssessment = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: assessmentId, limit: '200' } });
    const actions = new Set(byAssessment.body.items.map((e: any) => e.action));
    for (const a of ['assessment.publish', 'dissemination.create', 'dissemination.attempt', 'dissemination.deliver', 'dissemination.fail', 'dissemination.redrive', 'dissemination.acknowledge']) {
      expect(actions).toContain(a);
    }
    const byAgency = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: full.id, limit: '200' } });
    const attempts = byAgency.body.items.filter((e: any) => e.action === 'dissemination.attempt');
    expect(attempts.map((e: any) => e.details.httpStatus)).toEqual([500, 503, 200]);
    expect((await t.get(`/api/v1/assessments/${assessmentId}/disseminations`, { token: auditor.token })).status).toBe(200);
    expect(await t.get(`/api/v1/assessments/${assessmentId}/disseminations`, { token: fullOfficer.token })).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
  });

  it('audits each attempt in chain order: send before the POST, then its outcome, then deliver or fail', async () => {
    const deliverySteps = async (id: string) => {
      const res = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: id, limit: '200' } });
      expect(res.status).toBe(200);
      return (res.body.items as any[])
        .filter((e) => ['dissemination.send', 'dissemination.attempt', 'dissemination.deliver', 'dissemination.fail'].includes(e.action))
        .map((e) => ({ action: e.action, outcome: e.outcome, reason: e.reason, resourceType: e.resourceType, resourceId: e.resourceId, resourceIds: e.resourceIds, details: e.details }));
    };
    const rows = await statuses();
    const step = (agency: AgencyRef, action: string, outcome: string, reason: string | null, details: object | null) => ({
      action: `dissemination.${action}`,
      outcome,
      reason,
      resourceType: 'Dissemination',
      resourceId: rows.find((r) => r.agencyCode === agency.code).id,
      resourceIds: [assessmentId, agency.id],
      details,
    });
    const send = (agency: AgencyRef, attempt: number) => step(agency, 'send', 'ALLOWED', null, { attempt, agencyCode: agency.code, webhook: true });
    const tried = (agency: AgencyRef, attempt: number, httpStatus: number) =>
      httpStatus < 300
        ? step(agency, 'attempt', 'ALLOWED', null, { attempt, httpStatus, agencyCode: agency.code })
        : step(agency, 'attempt', 'FAILED', `HTTP ${httpStatus}`, { attempt, httpStatus, agencyCode: agency.code });
    const delivered = (agency: AgencyRef, attempt: number, variant: string) => step(agency, 'deliver', 'ALLOWED', null, { attempt, variant, agencyCode: agency.code, webhook: true });

    expect(await deliverySteps(rows.find((r) => r.agencyCode === full.code).id)).toEqual([
      send(full, 1),
      tried(full, 1, 500),
      send(full, 2),
      tried(full, 2, 503),
      send(full, 3),
      tried(full, 3, 200),
      delivered(full, 3, 'FULL'),
    ]);
    expect(await deliverySteps(rows.find((r) => r.agencyCode === tear.code).id)).toEqual([send(tear, 1), tried(tear, 1, 204), delivered(tear, 1, 'TEARLINE')]);
    // Four failures, FAILED; then the redrive's fresh job (attempt 1 of its own) delivers it.
    expect(await deliverySteps(rows.find((r) => r.agencyCode === broken.code).id)).toEqual([
      ...[1, 2, 3, 4].flatMap((n) => [send(broken, n), tried(broken, n, 500)]),
      step(broken, 'fail', 'FAILED', 'webhook failed 4 times: HTTP 500', null),
      send(broken, 1),
      tried(broken, 1, 200),
      delivered(broken, 1, 'FULL'),
    ]);
    // Delivered when the inbox item was written (the first attempt), whichever attempt's POST succeeded.
    const times = await t.ds.query(
      `SELECT d.delivered_at AS dissemination, i.delivered_at AS item FROM dissemination d JOIN inbox_item i ON i.id = d.id WHERE d.assessment_id = $1`,
      [assessmentId],
    );
    expect(times).toHaveLength(3);
    for (const { dissemination, item } of times) expect(dissemination).toEqual(item);
  });

  it('sends a THREAT_LEVEL notice {level, since} to every active agency', async () => {
    const set = await t.post('/api/v1/threat-level', { token: supervisor.token, body: { level: 'SUBSTANTIAL', justification: 'Assessed attack planning', assessmentIds: [assessmentId] } });
    expect(set.status).toBe(201);
    for (const officer of [fullOfficer, tearOfficer, withheldOfficer]) {
      const notice = await waitFor(async () => {
        const inbox = await t.get('/api/v1/inbox', { token: officer.token });
        return inbox.body.items.find((i: any) => i.kind === 'THREAT_LEVEL' && i.content.since === set.body.since);
      }, 'the threat-level notice');
      expect(notice).toMatchObject({ kind: 'THREAT_LEVEL', variant: 'FULL', content: { level: 'SUBSTANTIAL', since: set.body.since } });
    }
    const agencies = await t.ds.query(`SELECT count(*)::int AS n FROM agency WHERE active`);
    const notices = await t.ds.query(`SELECT count(*)::int AS n FROM dissemination WHERE kind = 'THREAT_LEVEL'`);
    expect(notices[0].n).toBe(agencies[0].n);

    // An agency without a webhook: the send and the delivery, in that order, from the one attempt.
    const [quiet] = await t.ds.query(`SELECT id, threat_level_change_id, delivered_at FROM dissemination WHERE kind = 'THREAT_LEVEL' AND agency_id = $1`, [withheld.id]);
    const trail = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: quiet.id, limit: '200' } });
    const steps = (trail.body.items as any[]).filter((e) => ['dissemination.send', 'dissemination.deliver'].includes(e.action));
    const common = { outcome: 'ALLOWED', reason: null, resourceType: 'Dissemination', resourceId: quiet.id, resourceIds: [quiet.threat_level_change_id, withheld.id] };
    expect(steps).toEqual([
      expect.objectContaining({ ...common, action: 'dissemination.send', details: { attempt: 1, agencyCode: withheld.code, webhook: false } }),
      expect.objectContaining({ ...common, action: 'dissemination.deliver', details: { attempt: 1, variant: 'FULL', agencyCode: withheld.code, webhook: false } }),
    ]);
    const [item] = await t.ds.query(`SELECT delivered_at FROM inbox_item WHERE id = $1`, [quiet.id]);
    expect(item.delivered_at).toEqual(quiet.delivered_at);
  });

  it('names the superseded assessment in a full copy only to readers who may read it', async () => {
    const nextId = await publishAssessment(
      t,
      analyst,
      supervisor,
      assessmentBody({
        title: `Superseding ${uniq()}`,
        keyJudgements: ['Revised judgement'],
        body: 'UNCLASSIFIED REVISION',
        likelihood: 'UNLIKELY',
        recommendedLevel: 'MODERATE',
        classification: 'UNCLASSIFIED',
        tlp: 'GREEN',
        distribution: { agencyCodes: [full.code] },
        supersedes: assessmentId,
      }),
    );
    const low = await fx.user(full, ['OFFICER'], 'RESTRICTED'); // reads neither the old text (SECRET) nor its tearline (CONFIDENTIAL)
    const copyFor = (token: string) =>
      waitFor(async () => (await t.get('/api/v1/inbox', { token })).body.items.find((i: any) => i.assessmentId === nextId), 'the superseding assessment in the inbox');
    expect((await copyFor(fullOfficer.token)).content).toMatchObject({ body: 'UNCLASSIFIED REVISION', supersedes: assessmentId });
    const lowCopy = await copyFor(low.token);
    expect(lowCopy).toMatchObject({ variant: 'FULL', content: { body: 'UNCLASSIFIED REVISION', supersedes: null } });
    expect(JSON.stringify(lowCopy)).not.toContain(assessmentId);
    const ack = await t.post(`/api/v1/inbox/${lowCopy.id}/acknowledge`, { token: low.token });
    expect(ack.status).toBe(200);
    expect(JSON.stringify(ack.body)).not.toContain(assessmentId);
  });
});

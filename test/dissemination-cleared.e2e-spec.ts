import type { INestApplicationContext } from '@nestjs/common';
import { startWorker } from './support/in-process-worker';
import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { assessmentBody, publishAssessment } from './support/assessment-factory';
import { DeliveryEnv } from './support/delivery-env';
import { waitFor } from './support/wait-for';

const BODY = 'HUMINT BODY TEXT: the source met the courier twice';
const TEARLINE = { summary: 'A courier network is active in the capital', classification: 'CONFIDENTIAL', tlp: 'GREEN' } as const;

/**
 * SPEC S1: compartments reach an agency only through a cleared person. The variant needs the agency's
 * accreditation AND an active user there, with a content role, holding the compartments and a covering
 * clearance (for FULL), or a clearance covering the tearline (for TEARLINE); otherwise the next one down.
 */
describe('dissemination: a variant needs a cleared person in the agency', () => {
  const env = new DeliveryEnv('cleared');
  const receiver = env.receiver;
  let t: TestApp;
  let worker: INestApplicationContext;
  let fx: Fixtures;
  let analyst: Actor, supervisor: Actor, holder: Actor, plain: Actor, lowReader: Actor;
  let noHolder: AgencyRef, withHolder: AgencyRef, departed: AgencyRef, adminOnly: AgencyRef, lowOnly: AgencyRef, empty: AgencyRef;
  let assessmentId: string;

  beforeAll(async () => {
    await env.start();
    t = await TestApp.start();
    worker = await startWorker(); // a module graph of its own, as in production
    fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    analyst = await fx.user(cell, ['ANALYST'], 'TOP_SECRET', ['HUMINT']);
    supervisor = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET', ['HUMINT']);
    // Every agency is accredited well above the assessment: only its people decide the variant.
    [noHolder, withHolder, departed, adminOnly, lowOnly, empty] = await Promise.all([
      fx.agency('POLICE', 'SECRET'),
      fx.agency('SECURITY_SERVICE', 'SECRET'),
      fx.agency('CUSTOMS', 'SECRET'),
      fx.agency('BORDER', 'SECRET'),
      fx.agency('PUBLIC_HEALTH', 'SECRET'),
      fx.agency('OTHER', 'SECRET'),
    ]);
    plain = await fx.user(noHolder, ['OFFICER'], 'SECRET', ['FININT']); // cleared high enough, without HUMINT
    holder = await fx.user(withHolder, ['OFFICER'], 'CONFIDENTIAL', ['HUMINT']);
    lowReader = await fx.user(withHolder, ['OFFICER'], 'RESTRICTED');
    const gone = await fx.user(departed, ['OFFICER'], 'SECRET', ['HUMINT']);
    await fx.user(departed, ['OFFICER'], 'CONFIDENTIAL');
    await fx.user(adminOnly, ['OFFICER'], 'CONFIDENTIAL');
    await fx.user(lowOnly, ['OFFICER'], 'RESTRICTED'); // below the tearline too
    const admin = await fx.admin();
    for (const [agency, path] of [[noHolder, '/no-holder'], [withHolder, '/with-holder'], [departed, '/departed'], [lowOnly, '/low-only']] as const) {
      await env.hook(fx, agency, path);
    }
    // The HUMINT holder of `departed` leaves before publication.
    expect((await t.call('PATCH', `/api/v1/users/${gone.id}`, { token: admin, body: { active: false } })).status).toBe(200);
    // An ADMIN holding HUMINT reads no content: not a cleared person (made last: a second ADMIN).
    await fx.user(adminOnly, ['ADMIN'], 'SECRET', ['HUMINT']);

    assessmentId = await publishAssessment(
      t,
      analyst,
      supervisor,
      assessmentBody({
        title: `Courier network ${uniq()}`,
        keyJudgements: ['A courier network is active'],
        body: BODY,
        compartments: ['HUMINT'],
        distribution: { agencyCodes: [noHolder.code, withHolder.code, departed.code, adminOnly.code, lowOnly.code, empty.code] },
        tearline: TEARLINE,
      }),
    );
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await env.stop();
  });

  const variants = async () => {
    const res = await t.get(`/api/v1/assessments/${assessmentId}/disseminations`, { token: analyst.token });
    expect(res.status).toBe(200);
    return Object.fromEntries((res.body as { agencyCode: string; variant: string }[]).map((d) => [d.agencyCode, d.variant]));
  };

  it('FULL only where an active content user holds the compartments at a covering clearance; the next variant down elsewhere', async () => {
    expect(await variants()).toEqual({
      [noHolder.code]: 'TEARLINE', // nobody holds HUMINT
      [withHolder.code]: 'FULL', // one OFFICER holds HUMINT at CONFIDENTIAL
      [departed.code]: 'TEARLINE', // the holder was deactivated
      [adminOnly.code]: 'TEARLINE', // the holder is an ADMIN: reads no content
      [lowOnly.code]: 'WITHHELD', // the tearline is marked above every user
      [empty.code]: 'WITHHELD', // nobody at all
    });
    // The decision is recorded with the variant.
    await t.audit.flush();
    const events = await t.ds.query(`SELECT details FROM audit_event WHERE action = 'dissemination.create' AND $1 = ANY(resource_ids)`, [assessmentId]);
    expect(events.map((e: { details: { agencyCode: string; variant: string } }) => [e.details.agencyCode, e.details.variant]).sort()).toEqual(
      Object.entries(await variants()).sort(),
    );
  });

  it('a webhook carries the variant so decided: no body where nobody is cleared for it, nothing where withheld', async () => {
    await waitFor(() => Promise.resolve(['/no-holder', '/with-holder', '/departed'].every((p) => receiver.for(p).length > 0)), 'webhooks');
    for (const path of ['/no-holder', '/departed']) {
      const [post] = receiver.for(path);
      expect(post.body).not.toContain(BODY);
      expect(JSON.parse(post.body)).toMatchObject({ variant: 'TEARLINE', content: { assessmentId, tearline: TEARLINE } });
    }
    const [full] = receiver.for('/with-holder');
    expect(JSON.parse(full.body)).toMatchObject({ variant: 'FULL', content: { body: BODY } });
    expect(receiver.for('/low-only')).toEqual([]);
  });

  it('the inbox still shows each reader no more than they may read', async () => {
    const item = async (token: string) => ((await t.get('/api/v1/inbox', { token })).body.items as { assessmentId?: string; variant: string; content: unknown }[])[0];
    const full = await item(holder.token);
    expect(full).toMatchObject({ assessmentId, variant: 'FULL' });
    expect(JSON.stringify(full.content)).toContain(BODY);
    const other = await item(plain.token);
    expect(other).toMatchObject({ assessmentId, variant: 'TEARLINE', content: { assessmentId, tearline: TEARLINE } });
    expect(JSON.stringify(other)).not.toContain(BODY);
  });

  const lastEvent = async (action: string, actorId: string) => {
    await t.audit.flush();
    const [e] = await t.ds.query(`SELECT resource_id, resource_ids, outcome, reason, details FROM audit_event WHERE action = $1 AND actor_id = $2 ORDER BY seq DESC LIMIT 1`, [action, actorId]);
    return e as { resource_id: string; resource_ids: string[]; outcome: string; reason: string | null; details: Record<string, unknown> } | undefined;
  };

  it('a repeated acknowledgement returns only what the reader may read, and is audited as a read of the item', async () => {
    const itemId = ((await t.get('/api/v1/inbox', { token: holder.token })).body.items as { id: string }[])[0].id;
    const first = await t.post(`/api/v1/inbox/${itemId}/acknowledge`, { token: holder.token });
    expect(first.status).toBe(200);
    expect((await lastEvent('dissemination.acknowledge', holder.id))?.details).toEqual({ variant: 'FULL' });
    expect(await lastEvent('inbox.read', holder.id)).toBeUndefined();

    const again = await t.post(`/api/v1/inbox/${itemId}/acknowledge`, { token: holder.token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(JSON.stringify(again.body)).toContain(BODY);
    expect(await lastEvent('inbox.read', holder.id)).toEqual({
      resource_id: itemId,
      resource_ids: [itemId, assessmentId],
      outcome: 'ALLOWED',
      reason: 'repeated acknowledgement',
      details: { variant: 'FULL', acknowledgedAt: first.body.acknowledgedAt },
    });

    // Another officer of the agency, cleared for neither the text nor the tearline: the item without content.
    const low = await t.post(`/api/v1/inbox/${itemId}/acknowledge`, { token: lowReader.token });
    expect(low.status).toBe(200);
    expect(low.body).toEqual({ id: itemId, kind: 'ASSESSMENT', variant: 'WITHHELD', content: null, deliveredAt: expect.any(String), acknowledgedAt: first.body.acknowledgedAt });
    expect(await lastEvent('inbox.read', lowReader.id)).toMatchObject({ resource_ids: [itemId], details: { variant: 'WITHHELD' } });
  });

  it('a read of the threat-level history is audited with the changes and the assessments it showed', async () => {
    const set = await t.post('/api/v1/threat-level', { token: supervisor.token, body: { level: 'SUBSTANTIAL', justification: 'Courier network', assessmentIds: [assessmentId] } });
    expect(set.status).toBe(201);
    const [change] = await t.ds.query(`SELECT id FROM threat_level_change WHERE $1 = ANY(assessment_ids)`, [assessmentId]);
    const history = await t.get('/api/v1/threat-level/history', { token: holder.token });
    expect(history.status).toBe(200);
    expect(history.body[0].assessmentIds).toEqual([assessmentId]);
    const event = await lastEvent('threat_level.history', holder.id);
    expect(event?.resource_ids).toEqual(expect.arrayContaining([change.id, assessmentId]));
  });
});

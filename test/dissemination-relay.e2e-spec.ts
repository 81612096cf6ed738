// Over 300 lines: the relay cases share one set-up, with spies on the queue, and one publication.
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { Client } from 'pg';
import { NEWEST_PENDING } from '../src/audit/audit-chainer';
import { DISSEMINATION_QUEUE, type JobMap, RETENTION_QUEUE } from '../src/common/queues';
import { AppConfig } from '../src/config/app-config';
import { DeliveryService } from '../src/dissemination/delivery.service';
import { RelayService } from '../src/outbox/relay.service';
import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { assessmentBody, publishAssessment } from './support/assessment-factory';
import { DeliveryEnv } from './support/delivery-env';
import { waitFor } from './support/wait-for';

const SECRET = `whsec_${Buffer.from('relay-relay-relay-relay-relay-01').toString('base64')}`;
const RECIPIENTS = 30;
/** The relay's batch size (SWEEP_BATCH in relay.service.ts). */
const BATCH = 500;

type BulkEntry = { name: string; data: JobMap['deliver']; opts?: { jobId?: string } };

/**
 * The relay and the delivery service without a worker process: the API (real AppModule, database and
 * Redis) moves the outbox into the queue in batches, and the test calls the delivery service the
 * worker would call, so it can look between its steps.
 */
describe('dissemination relay: the outbox reaches the queue in batches, once', () => {
  const env = new DeliveryEnv('relay');
  const receiver = env.receiver;
  let t: TestApp;
  let fx: Fixtures;
  let queue: Queue<JobMap['deliver']>;
  let relay: RelayService;
  let addBulk: jest.SpiedFunction<Queue<JobMap['deliver']>['addBulk']>;
  let add: jest.SpiedFunction<Queue<JobMap['deliver']>['add']>;
  let recipients: AgencyRef[];
  let analyst: Actor, supervisor: Actor;
  let assessmentId: string;

  beforeAll(async () => {
    await env.start();
    t = await TestApp.start();
    fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    analyst = await fx.user(cell, ['ANALYST'], 'TOP_SECRET');
    supervisor = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET');
    recipients = [];
    for (let i = 0; i < RECIPIENTS; i++) recipients.push(await fx.agency('POLICE', 'SECRET'));
    // Each with a cleared person: without one an agency gets no FULL copy (SPEC S1).
    for (const agency of recipients) await fx.user(agency, ['OFFICER'], 'SECRET');
    await env.hook(fx, recipients[0], '/held', SECRET);
    queue = t.app.get<Queue<JobMap['deliver']>>(getQueueToken(DISSEMINATION_QUEUE));
    relay = t.app.get(RelayService);
    addBulk = jest.spyOn(queue, 'addBulk');
    add = jest.spyOn(queue, 'add');
  }, 60_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    // This file's queue prefix leaves nothing behind in Redis.
    await queue?.obliterate({ force: true });
    await t?.app.get<Queue>(getQueueToken(RETENTION_QUEUE)).obliterate({ force: true });
    await t?.close();
    await env.stop();
  });

  const statusOf = async (ids: string[]): Promise<Map<string, string>> => {
    const rows: { id: string; status: string }[] = await t.ds.query(`SELECT id, status FROM dissemination WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.status]));
  };
  const allQueued = async (ids: string[]) => [...(await statusOf(ids)).values()].filter((s) => s === 'QUEUED').length === ids.length;
  /** The addBulk calls made so far that carried any of `ids`, as lists of job ids. */
  const bulkCallsWith = (ids: string[], from = 0): string[][] =>
    addBulk.mock.calls
      .slice(from)
      .map(([jobs]) => (jobs as BulkEntry[]).map((j) => j.opts?.jobId ?? ''))
      .filter((jobIds) => jobIds.some((id) => ids.includes(id)));
  const auditEvents = async (action: string, ids: string[]) => {
    await t.audit.flush();
    return t.ds.query<{ resource_id: string; resource_ids: string[] }[]>(`SELECT resource_id, resource_ids FROM audit_event WHERE action = $1 AND resource_id = ANY($2::text[])`, [action, ids]);
  };

  it('queues a publication to 30 agencies with one addBulk (job id = dissemination id), one QUEUED each and one queue audit each', async () => {
    assessmentId = await publishAssessment(t, analyst, supervisor, assessmentBody({ title: `Relay test ${uniq()}`, distribution: { agencyCodes: recipients.map((a) => a.code) } }));

    const rows: { id: string; agency_id: string }[] = await t.ds.query(`SELECT id, agency_id FROM dissemination WHERE assessment_id = $1`, [assessmentId]);
    const ids = rows.map((r) => r.id);
    expect(ids).toHaveLength(RECIPIENTS);
    await waitFor(() => allQueued(ids), 'the relay to queue the publication');

    const calls = bulkCallsWith(ids);
    expect(calls).toHaveLength(1);
    expect([...calls[0]].sort()).toEqual([...ids].sort());
    expect(add).not.toHaveBeenCalled();
    const config = t.app.get(AppConfig);
    for (const id of ids) {
      const job = (await queue.getJob(id)) as Job<JobMap['deliver']>;
      expect(job).toBeDefined();
      expect(job.data).toEqual({ disseminationId: id });
      expect(job.opts).toMatchObject({ attempts: config.DISSEMINATION_MAX_ATTEMPTS, backoff: { type: 'exponential', delay: config.DISSEMINATION_BACKOFF_MS } });
    }

    const queued = await auditEvents('dissemination.queue', ids);
    expect(queued.map((e) => e.resource_id).sort()).toEqual([...ids].sort());
    const agencyOf = new Map(rows.map((r) => [r.id, r.agency_id]));
    for (const e of queued) expect([...e.resource_ids].sort()).toEqual([assessmentId, agencyOf.get(e.resource_id)].sort());
  });

  it('adds no job twice when a sweep runs again over rows whose jobs it already added (a relay that died before its UPDATE committed)', async () => {
    const ids: string[] = (await t.ds.query(`SELECT id FROM dissemination WHERE assessment_id = $1`, [assessmentId])).map((r: { id: string }) => r.id);
    const before = new Map<string, number>();
    for (const id of ids) before.set(id, (await queue.getJob(id))!.timestamp);
    const countsBefore = await queue.getJobCounts('waiting', 'delayed', 'active');
    const callsBefore = addBulk.mock.calls.length;

    await t.ds.query(`UPDATE dissemination SET status = 'PENDING', queued_at = NULL WHERE id = ANY($1::uuid[])`, [ids]);
    relay.kick();
    await waitFor(() => allQueued(ids), 'the relay to finish the move');

    expect(bulkCallsWith(ids, callsBefore)).toHaveLength(1); // it did try to add them again…
    expect(await queue.getJobCounts('waiting', 'delayed', 'active')).toEqual(countsBefore); // …and added nothing
    for (const id of ids) expect((await queue.getJob(id))!.timestamp).toBe(before.get(id));
    expect(add).not.toHaveBeenCalled();
    // Each UPDATE that moved a row audited it: two moves, two events each.
    const queued = await auditEvents('dissemination.queue', ids);
    expect(queued).toHaveLength(2 * ids.length);
  });

  it('queues a publication’s rows without reading jobs back from Redis; the periodic sweep repairs a lost job', async () => {
    const ids: string[] = (await t.ds.query(`SELECT id FROM dissemination WHERE assessment_id = $1`, [assessmentId])).map((r: { id: string }) => r.id);
    // The five-second timer is stopped, so every sweep below is one this test asked for.
    clearInterval(relay['runner']['tickTimer']);
    const getJob = jest.spyOn(queue, 'getJob');
    const sweeps: { repair: boolean; getJobs: number }[] = [];
    const sweep = relay.sweep.bind(relay);
    const spy = jest.spyOn(relay, 'sweep').mockImplementation(async (opts) => {
      const before = getJob.mock.calls.length;
      const added = await sweep(opts);
      sweeps.push({ repair: opts?.repair ?? true, getJobs: getJob.mock.calls.length - before });
      return added;
    });
    const swept = async (n: number) => waitFor(() => Promise.resolve(sweeps.length >= n), 'a sweep');
    try {
      // What a publication does: its rows are PENDING and it kicks the relay.
      await t.ds.query(`UPDATE dissemination SET status = 'PENDING', queued_at = NULL WHERE id = ANY($1::uuid[])`, [ids]);
      relay.kick();
      await swept(1);
      expect(await allQueued(ids)).toBe(true);
      expect(sweeps).toEqual([{ repair: false, getJobs: 0 }]);

      // Redis loses a job: a publication's sweep leaves it lost, the periodic (repairing) one puts it back.
      const lost = ids[0];
      await queue.remove(lost);
      relay.kick();
      await swept(2);
      expect(await queue.getJob(lost)).toBeUndefined();
      relay.kick({ repair: true });
      await swept(3);
      expect(sweeps[2].repair).toBe(true);
      expect(sweeps[2].getJobs).toBeGreaterThanOrEqual(ids.length);
      expect(await queue.getJob(lost)).toBeDefined();
      const requeued = await auditEvents('dissemination.requeue', [lost]);
      expect(requeued).toHaveLength(1);
    } finally {
      spy.mockRestore();
      getJob.mockRestore();
      relay.onModuleInit(); // the timer again
    }
  });

  it('drains an outbox larger than one batch in one sweep, at most 500 jobs per addBulk', async () => {
    // 520 more agencies, straight into the table (the API would take 520 requests): a threat-level
    // change then disseminates to every active agency.
    await t.ds.query(
      `INSERT INTO agency (code, name, kind, accreditation) SELECT 'BULK' || g || $1, 'Bulk agency ' || g, 'POLICE', 'SECRET' FROM generate_series(1, 520) g`,
      [uniq()],
    );
    const set = await t.post('/api/v1/threat-level', { token: supervisor.token, body: { level: 'SUBSTANTIAL', justification: 'Relay batch test', assessmentIds: [assessmentId] } });
    expect(set.status).toBe(201);
    const ids: string[] = (await t.ds.query(`SELECT id FROM dissemination WHERE kind = 'THREAT_LEVEL'`)).map((r: { id: string }) => r.id);
    const agencies = (await t.ds.query(`SELECT count(*)::int AS n FROM agency WHERE active`))[0].n as number;
    expect(ids).toHaveLength(agencies);
    expect(ids.length).toBeGreaterThan(BATCH);
    await waitFor(() => allQueued(ids), 'the relay to queue the notices');

    // A backlog the relay finds all at once (e.g. the API was down when they were written): one sweep drains it.
    const callsBefore = addBulk.mock.calls.length;
    await t.ds.query(`UPDATE dissemination SET status = 'PENDING', queued_at = NULL WHERE id = ANY($1::uuid[])`, [ids]);
    await relay.sweep();
    expect([...(await statusOf(ids)).values()].filter((s) => s === 'PENDING')).toEqual([]);
    const calls = bulkCallsWith(ids, callsBefore);
    expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(ids.length / BATCH));
    for (const c of calls) expect(c.length).toBeLessThanOrEqual(BATCH);
    expect(new Set(calls.flat())).toEqual(new Set(ids));
    expect(add).not.toHaveBeenCalled();
  }, 60_000);

  it('delivers with the send audited and the inbox item written before the webhook POST leaves, the outcome after it', async () => {
    const [d] = await t.ds.query<{ id: string }[]>(`SELECT id FROM dissemination WHERE assessment_id = $1 AND agency_id = $2`, [assessmentId, recipients[0].id]);
    const delivery = new DeliveryService(t.ds, t.writer, t.app.get(AppConfig));
    receiver.hold('/held');
    const delivering = delivery.deliver(d.id, 1);
    await waitFor(() => Promise.resolve(receiver.for('/held').length === 1), 'the webhook POST');

    // The POST is in flight and unanswered: what it must not depend on is already committed.
    expect((await auditEvents('dissemination.send', [d.id])).length).toBe(1);
    expect(await auditEvents('dissemination.attempt', [d.id])).toEqual([]);
    const [row] = await t.ds.query(`SELECT status, attempts, (SELECT count(*)::int FROM inbox_item WHERE id = $1) AS inbox FROM dissemination WHERE id = $1`, [d.id]);
    expect(row).toEqual({ status: 'QUEUED', attempts: 1, inbox: 1 });

    receiver.answer('/held', 200);
    expect(await delivering).toBe('delivered');
    const [after] = await t.ds.query(`SELECT status, attempts FROM dissemination WHERE id = $1`, [d.id]);
    expect(after).toEqual({ status: 'DELIVERED', attempts: 1 });
    expect((await auditEvents('dissemination.attempt', [d.id])).length).toBe(1);
    expect((await auditEvents('dissemination.deliver', [d.id])).length).toBe(1);
    const payload = JSON.parse(receiver.for('/held')[0].body) as { id: string; assessmentId: string };
    expect(payload).toMatchObject({ id: d.id, assessmentId });

    // An agency without a webhook: the inbox item and the delivery in one go; a redelivered job changes nothing.
    const [quiet] = await t.ds.query<{ id: string }[]>(`SELECT id FROM dissemination WHERE assessment_id = $1 AND agency_id = $2`, [assessmentId, recipients[1].id]);
    expect(await delivery.deliver(quiet.id, 1)).toBe('delivered');
    expect(await delivery.deliver(quiet.id, 1)).toBe('skipped');
    const [q] = await t.ds.query(`SELECT status, attempts, (SELECT count(*)::int FROM inbox_item WHERE id = $1) AS inbox FROM dissemination WHERE id = $1`, [quiet.id]);
    expect(q).toEqual({ status: 'DELIVERED', attempts: 1, inbox: 1 });
    expect((await auditEvents('dissemination.deliver', [quiet.id])).length).toBe(1);
  });

  it('POSTs the inbox item a concurrent attempt wrote first (after this attempt began), and writes none of its own', async () => {
    const target = recipients[2];
    const hooked = await fx.webhook(target.id, { url: receiver.url('/raced'), secret: SECRET }); // approved by the second ADMIN (SPEC S1)
    expect(hooked.status).toBe(200);
    const [d] = await t.ds.query<{ id: string }[]>(`SELECT id FROM dissemination WHERE assessment_id = $1 AND agency_id = $2`, [assessmentId, target.id]);
    const delivery = new DeliveryService(t.ds, t.writer, t.app.get(AppConfig));
    const earlier = new Date(Date.now() - 60_000);
    // The other attempt: holds the dissemination row and writes the item, committing only once this
    // attempt's first write has started (and waits for the row), so that write cannot see the item.
    const other = t.ds.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query(`SELECT 1 FROM dissemination WHERE id = $1 FOR UPDATE`, [d.id]);
      await other.query(
        `INSERT INTO inbox_item (id, agency_id, kind, assessment_id, variant, content, delivered_at)
         SELECT id, agency_id, kind, assessment_id, variant, content, $2 FROM dissemination WHERE id = $1`,
        [d.id, earlier],
      );
      const delivering = delivery.deliver(d.id, 1);
      await waitFor(
        async () => (await t.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0].n === 1,
        'the delivery to wait for the row',
      );
      await other.commitTransaction();
      expect(await delivering).toBe('delivered');
    } finally {
      await other.release();
    }

    const posts = receiver.for('/raced');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0].body)).toMatchObject({ id: d.id, assessmentId, deliveredAt: earlier.toISOString() });
    const [row] = await t.ds.query(`SELECT status, attempts, delivered_at, (SELECT count(*)::int FROM inbox_item WHERE id = $1) AS inbox FROM dissemination WHERE id = $1`, [d.id]);
    expect(row).toEqual({ status: 'DELIVERED', attempts: 1, delivered_at: earlier, inbox: 1 });
  });
  it('shares statements between concurrent deliveries, and a delivery whose write fails fails alone', async () => {
    // Queued threat-level notices to agencies without a webhook (the batch test above made 520).
    const ids: string[] = (
      await t.ds.query(
        `SELECT d.id FROM dissemination d JOIN agency a ON a.id = d.agency_id
          WHERE d.kind = 'THREAT_LEVEL' AND d.status = 'QUEUED' AND a.webhook_url IS NULL ORDER BY d.id LIMIT 24`,
      )
    ).map((r: { id: string }) => r.id);
    expect(ids).toHaveLength(24);
    // The delivery's statements go through poolQuery (src/database/prepared.ts), which hands pg a query
    // object; TypeORM's own queries are strings. Count the objects.
    const poolQuery = jest.spyOn(Client.prototype, 'query'); // calls through
    let statements: string[];
    const delivery = new DeliveryService(t.ds, t.writer, t.app.get(AppConfig));

    // One write refuses one of them (a trigger standing in for any error a single row could cause).
    const bad = ids[7];
    await t.ds.query(`CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN IF NEW.id = '${bad}'::uuid THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`);
    await t.ds.query(`CREATE TRIGGER refuse_one BEFORE INSERT ON inbox_item FOR EACH ROW EXECUTE FUNCTION refuse_one()`);
    let outcomes: PromiseSettledResult<string>[];
    try {
      outcomes = await Promise.allSettled(ids.map((id) => delivery.deliver(id, 1)));
    } finally {
      // Every statement but the audit chainer's probe, which shares the pool and runs on its own schedule.
      statements = poolQuery.mock.calls.flatMap(([q]) => (typeof q === 'object' ? [(q as { text: string }).text] : [])).filter((q) => q !== NEWEST_PENDING);
      poolQuery.mockRestore();
      await t.ds.query(`DROP TRIGGER refuse_one ON inbox_item; DROP FUNCTION refuse_one()`);
    }
    outcomes.forEach((o, i) => {
      if (ids[i] === bad) expect(o).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringContaining('refused for the test') }) });
      else expect(o).toEqual({ status: 'fulfilled', value: 'delivered' });
    });
    // One read and one write for all 24, then the write again one by one when it failed: 2 + 24, not 48.
    expect(statements.length).toBeLessThanOrEqual(2 + ids.length);
    expect(statements.filter((q) => q.includes('JOIN agency'))).toHaveLength(1);

    const rows: { id: string; status: string; attempts: number; inbox: number }[] = await t.ds.query(
      `SELECT d.id, d.status, d.attempts, (SELECT count(*)::int FROM inbox_item i WHERE i.id = d.id) AS inbox FROM dissemination d WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    for (const r of rows) expect(r).toEqual(r.id === bad ? { id: bad, status: 'QUEUED', attempts: 0, inbox: 0 } : { id: r.id, status: 'DELIVERED', attempts: 1, inbox: 1 });
    const good = ids.filter((id) => id !== bad);
    expect((await auditEvents('dissemination.send', good)).map((e) => e.resource_id).sort()).toEqual([...good].sort());
    expect((await auditEvents('dissemination.deliver', good)).map((e) => e.resource_id).sort()).toEqual([...good].sort());
    expect(await auditEvents('dissemination.send', [bad])).toEqual([]);

    // The queue's retry of the refused one delivers it; the others, delivered again, write nothing.
    statements.length = 0;
    const again = await Promise.all(ids.map((id) => delivery.deliver(id, 2)));
    expect(again.filter((o) => o === 'delivered')).toHaveLength(1);
    expect(again[ids.indexOf(bad)]).toBe('delivered');
    expect(statements.length).toBeLessThanOrEqual(2);
    expect((await auditEvents('dissemination.deliver', ids)).length).toBe(ids.length);
  });
  it('finds a QUEUED row whose job Redis lost however many QUEUED rows come before it, a page per sweep', async () => {
    const queued: { id: string }[] = await t.ds.query(`SELECT id FROM dissemination WHERE status = 'QUEUED' ORDER BY created_at DESC, id DESC`);
    expect(queued.length).toBeGreaterThan(BATCH);
    const newest = queued[0].id; // behind every other QUEUED row: not in the first page
    await queue.remove(newest);
    expect(await queue.getJob(newest)).toBeUndefined();

    let sweeps = 0;
    while (!(await queue.getJob(newest)) && sweeps <= Math.ceil(queued.length / BATCH)) {
      await relay.sweep();
      sweeps += 1;
    }
    expect(await queue.getJob(newest)).toBeDefined();
    await t.audit.flush();
    const [event] = await t.ds.query(`SELECT reason FROM audit_event WHERE action = 'dissemination.requeue' AND resource_id = $1`, [newest]);
    expect(event).toEqual({ reason: 'no job in the queue (Redis lost it or was down)' });
  });
});

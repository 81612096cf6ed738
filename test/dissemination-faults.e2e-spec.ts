// Over 300 lines: the fault scenarios share one private redis-server, database and worker set-up, in order.
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { DISSEMINATION_QUEUE } from '../src/common/queues';
import { startWorker } from './support/in-process-worker';
import { TestApp, uniq } from './support/test-app';
import { type Actor, type AgencyRef, Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';
import { freePort, RedisServer, WorkerProcess } from './support/child-processes';
import { assessmentBody } from './support/assessment-factory';
import { DeliveryEnv } from './support/delivery-env';
import { waitFor } from './support/wait-for';

const SECRET = `whsec_${Buffer.from('faults-faults-faults-faults-0001').toString('base64')}`;
/** SPEC workflow 5: within 30 s of Redis being back (even empty) every open dissemination is queued again. */
const REQUEUE_BOUND_MS = 30_000;

interface Row {
  id: string;
  assessment_id: string;
  agency_id: string;
  status: string;
  attempts: number;
  inbox: number;
}

const withTimeout = async <T>(p: Promise<T> | undefined, ms: number, what: string): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no end after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Workflow 5 under faults. Redis is not the system of record: publishing works while it is down, and
 * once it is back — even empty — the relay re-enqueues what is open. A worker killed mid-delivery is
 * recovered by BullMQ's stalled-job check. Whatever fails, each (assessment, agency) reaches the inbox
 * exactly once, and a webhook is only ever repeated with the same webhook-id.
 *
 * This file runs its own redis-server (so it can kill it and lose its data), its own database, and
 * in scenario 2 the real worker entry point as a child process.
 */
describe('dissemination under faults: Redis outage and data loss, worker killed mid-delivery', () => {
  const env = new DeliveryEnv('faults');
  const receiver = env.receiver;
  const timings: Record<string, number> = {};
  const children: WorkerProcess[] = [];
  let redis: RedisServer | undefined;
  let t: TestApp;
  /** The test's own view of the queue (its own connection, which waits through reconnects). */
  let queue: Queue;
  let inProcessWorker: INestApplicationContext | undefined;
  let fx: Fixtures;
  let agencies: AgencyRef[];
  let officer: Actor, analyst: Actor, supervisor: Actor, auditor: Actor;
  const pathOf = (a: AgencyRef) => `/hook/${a.code}`;

  beforeAll(async () => {
    const started = Date.now();
    redis = new RedisServer(await freePort());
    await redis.start();
    await env.start({ REDIS_URL: redis.url });
    t = await TestApp.start();
    queue = new Queue(DISSEMINATION_QUEUE, { prefix: process.env.QUEUE_PREFIX, connection: { url: redis.url, maxRetriesPerRequest: null } });
    queue.on('error', () => {
      /* Redis is killed on purpose here */
    });
    fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    agencies = await Promise.all([fx.agency('POLICE', 'SECRET'), fx.agency('CUSTOMS', 'SECRET'), fx.agency('BORDER', 'SECRET'), fx.agency('PUBLIC_HEALTH', 'SECRET')]);
    [officer, analyst, supervisor, auditor] = await Promise.all([
      fx.user(agencies[0], ['OFFICER'], 'SECRET'),
      fx.user(cell, ['ANALYST'], 'TOP_SECRET'),
      fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET'),
      fx.user(cell, ['AUDITOR'], 'UNCLASSIFIED'),
    ]);
    // Each recipient with a cleared person: without one an agency gets no FULL copy (SPEC S1).
    for (const agency of agencies.slice(1)) await fx.user(agency, ['OFFICER'], 'SECRET');
    for (const agency of agencies) await env.hook(fx, agency, pathOf(agency), SECRET);
    timings.setup = Date.now() - started;
  }, 60_000);

  afterAll(async () => {
    const started = Date.now();
    const problems: string[] = [];
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    for (const child of children) await step(`worker process ${child.pid}`, () => child.stop('SIGKILL'));
    // Nest closes its Redis clients cleanly only when Redis answers: bring it back if a test left it down.
    if (redis && !redis.running) await step('redis restart for shutdown', () => redis!.start());
    await step('in-process worker', () => withTimeout(inProcessWorker?.close(), 15_000, 'in-process worker close'));
    await step('app', () => withTimeout(t?.close(), 15_000, 'app close'));
    await step('probe queue', () => withTimeout(queue?.close(), 5_000, 'probe queue close'));
    await step('redis-server', () => redis?.kill() ?? Promise.resolve());
    // Its queue keys went with the private redis-server.
    await step('receiver and database', () => env.stop({ queueKeys: false }));
    timings.cleanup = Date.now() - started;
    // The measurements are printed only on request (FAULT_TIMINGS=1) or when something went wrong: a green run stays quiet.
    if (problems.length) throw new Error(`cleanup problems:\n${problems.join('\n')}\nmeasurements (ms, counts): ${JSON.stringify(timings)}`);
    if (process.env.FAULT_TIMINGS) console.log(`dissemination fault measurements (ms, counts): ${JSON.stringify(timings)}`);
  }, 60_000);

  // ── helpers ────────────────────────────────────────────────────────────────────────────────────

  /** A draft citing `reportIds`, submitted for review (works with or without Redis). */
  async function reviewedAssessment(reportIds: string[] = []): Promise<string> {
    const draft = await t.post('/api/v1/assessments', {
      token: analyst.token,
      body: assessmentBody({ title: `Fault test ${uniq()}`, keyJudgements: ['Attack planning is likely'], reportIds, distribution: { agencyCodes: agencies.map((a) => a.code) } }),
    });
    expect(draft.status).toBe(201);
    expect((await t.post(`/api/v1/assessments/${draft.body.id}/submit`, { token: analyst.token })).status).toBe(200);
    return draft.body.id as string;
  }

  async function publish(id: string): Promise<void> {
    const res = await t.post(`/api/v1/assessments/${id}/publish`, { token: supervisor.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('PUBLISHED');
  }

  /** The disseminations of these assessments, each with how many inbox items its (assessment, agency) has. */
  const rows = async (assessmentIds: string[]): Promise<Row[]> =>
    t.ds.query(
      `SELECT d.id, d.assessment_id, d.agency_id, d.status, d.attempts,
              (SELECT count(*)::int FROM inbox_item i WHERE i.assessment_id = d.assessment_id AND i.agency_id = d.agency_id) AS inbox
         FROM dissemination d WHERE d.assessment_id = ANY($1::uuid[]) ORDER BY d.assessment_id, d.agency_code`,
      [assessmentIds],
    );

  const allDelivered = async (assessmentIds: string[]) => {
    const r = await rows(assessmentIds);
    return r.length === assessmentIds.length * agencies.length && r.every((d) => d.status === 'DELIVERED') ? r : null;
  };

  /** True when every one of `ids` has a job in Redis (in any state). */
  const allHaveJobs = async (ids: string[]) => {
    for (const id of ids) if (!(await queue.getJob(id))) return false;
    return true;
  };

  async function startInProcessWorker(): Promise<void> {
    inProcessWorker = await startWorker();
    await inProcessWorker.init();
  }

  async function stopInProcessWorker(): Promise<void> {
    const w = inProcessWorker;
    inProcessWorker = undefined;
    await withTimeout(w?.close(), 15_000, 'in-process worker close');
  }

  /**
   * Exactly once in the inbox per (assessment, agency); every dissemination reached its agency's
   * webhook at least once, signed, and every repeat of a (assessment, agency) POST carries the same
   * webhook-id (= the dissemination id) and the same body. Returns how many POSTs were repeats.
   */
  function expectDeliveredOnce(delivered: Row[]): number {
    const wh = new Webhook(SECRET);
    const pathByAgency = new Map(agencies.map((a) => [a.id, pathOf(a)]));
    for (const d of delivered) expect({ id: d.id, status: d.status, inbox: d.inbox }).toEqual({ id: d.id, status: 'DELIVERED', inbox: 1 });
    const assessmentIds = new Set(delivered.map((d) => d.assessment_id));
    const posts = receiver.received.filter((p) => assessmentIds.has((JSON.parse(p.body) as { assessmentId?: string }).assessmentId ?? ''));
    const byPair = new Map<string, { ids: Set<string>; bodies: Set<string> }>();
    for (const p of posts) {
      const payload = wh.verify(p.body, p.headers as Record<string, string>) as { id: string; assessmentId: string };
      expect(payload.id).toBe(p.headers['webhook-id']);
      const key = `${p.path}|${payload.assessmentId}`;
      const entry = byPair.get(key) ?? { ids: new Set<string>(), bodies: new Set<string>() };
      entry.ids.add(String(p.headers['webhook-id']));
      entry.bodies.add(p.body);
      byPair.set(key, entry);
    }
    for (const d of delivered) {
      const entry = byPair.get(`${pathByAgency.get(d.agency_id)}|${d.assessment_id}`);
      expect(entry && [...entry.ids]).toEqual([d.id]);
      expect(entry?.bodies.size).toBe(1);
    }
    expect(byPair.size).toBe(delivered.length);
    return posts.length - delivered.length;
  }

  /** A test that failed half-way may have left Redis down; the next one starts from a running one. */
  async function ensureRedis(): Promise<void> {
    if (!redis!.running) await redis!.start();
  }

  async function expectAuditChainValid(): Promise<void> {
    const res = await t.get('/api/v1/audit-events/verify', { token: auditor.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true });
  }

  // ── 1. Redis outage ────────────────────────────────────────────────────────────────────────────

  it('keeps intake, reads and publishing working while Redis is down; once it is back empty, every dissemination is delivered exactly once', async () => {
    const before = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ title: 'Before the outage' }) });
    expect(before.status).toBe(201);
    expect((await t.get('/health')).status).toBe(200);

    await redis!.kill();
    const downAt = Date.now();

    expect((await t.get('/health')).status).toBe(503);

    // Intake and reads do not depend on Redis.
    const during = await t.post('/api/v1/reports', { token: officer.token, body: reportBody({ title: 'During the outage' }) });
    expect(during.status).toBe(201);
    const list = await t.get('/api/v1/reports', { token: officer.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([before.body.id, during.body.id]));
    expect((await t.get(`/api/v1/reports/${during.body.id}`, { token: officer.token })).status).toBe(200);
    expect((await t.get('/api/v1/inbox', { token: officer.token })).status).toBe(200);

    // Drafting, review and publishing do not either: the disseminations wait in the outbox.
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await reviewedAssessment([during.body.id]));
    let slowestPublish = 0;
    for (const id of ids) {
      const started = Date.now();
      await publish(id);
      slowestPublish = Math.max(slowestPublish, Date.now() - started);
    }
    timings.slowestPublishWhileRedisDown = slowestPublish;
    expect(slowestPublish).toBeLessThan(5000);
    const outbox = await rows(ids);
    expect(outbox).toHaveLength(ids.length * agencies.length);
    expect(new Set(outbox.map((d) => d.status))).toEqual(new Set(['PENDING']));
    expect(outbox.every((d) => d.inbox === 0)).toBe(true);
    const view = await t.get(`/api/v1/assessments/${ids[0]}/disseminations`, { token: analyst.token });
    expect(view.status).toBe(200);
    expect(view.body.map((d: { status: string }) => d.status)).toEqual(agencies.map(() => 'PENDING'));
    // Without a token: the contract's error body with `status`, naming no dependency.
    const anonymous = await t.get('/health');
    expect(anonymous.status).toBe(503);
    expect(anonymous.body).toEqual({ statusCode: 503, error: 'Service Unavailable', code: 'DEPENDENCY_DOWN', message: 'Unavailable', requestId: expect.any(String), status: 'error' });
    // For an ADMIN: the contract's error body, with each dependency's status kept.
    const health = await t.get('/health', { token: await fx.admin() });
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', code: 'DEPENDENCY_DOWN', message: expect.stringContaining('redis') });
    expect(health.body.details.database.status).toBe('up');
    expect(health.body.details.redis.status).toBe('down');
    timings.redisDown = Date.now() - downAt;

    // Redis comes back empty (no persistence: it lost everything), then the worker starts.
    await redis!.start();
    const backAt = Date.now();
    await startInProcessWorker();
    await waitFor(async () => (await rows(ids)).every((d) => d.status !== 'PENDING'), 'the relay to queue the outbox once Redis is back', REQUEUE_BOUND_MS);
    timings.queuedAfterRedisBack = Date.now() - backAt;
    const delivered = await waitFor(() => allDelivered(ids), 'every dissemination to be delivered after the outage', REQUEUE_BOUND_MS);
    timings.deliveredAfterRedisBack = Date.now() - backAt;
    expect(timings.queuedAfterRedisBack).toBeLessThanOrEqual(REQUEUE_BOUND_MS);

    expect(delivered).toHaveLength(20);
    timings.repeatedPostsAfterOutage = expectDeliveredOnce(delivered);
    const inbox = await t.get('/api/v1/inbox', { token: officer.token, query: { limit: '200' } });
    expect(inbox.body.items.filter((i: { assessmentId?: string }) => ids.includes(i.assessmentId ?? '')).map((i: { assessmentId: string }) => i.assessmentId).sort()).toEqual([...ids].sort());
    await waitFor(async () => (await t.get('/health')).status === 200, 'health to report Redis up again', 10_000);
    await expectAuditChainValid();
    await stopInProcessWorker();
  }, 90_000);

  it('re-enqueues within 30 s the QUEUED disseminations whose jobs Redis lost (FLUSHALL, then a restart empty), and delivers each once', async () => {
    await ensureRedis();
    expect(inProcessWorker).toBeUndefined(); // nobody consumes: the jobs must sit in Redis
    const ids = [await reviewedAssessment(), await reviewedAssessment()];
    for (const id of ids) await publish(id);
    const open = await waitFor(async () => {
      const r = await rows(ids);
      return r.every((d) => d.status === 'QUEUED') && (await allHaveJobs(r.map((d) => d.id))) ? r : null;
    }, 'the relay to queue the new disseminations');
    const dissIds = open.map((d) => d.id);
    expect(await queue.getJobState(dissIds[0])).toBe('waiting');

    // Redis loses its data while the jobs are waiting.
    expect(await redis!.cli('FLUSHALL')).toBe('OK');
    for (const id of dissIds) expect(await queue.getJob(id)).toBeUndefined();
    let lostAt = Date.now();
    await waitFor(() => allHaveJobs(dissIds), 'the relay to re-enqueue after FLUSHALL', REQUEUE_BOUND_MS);
    timings.requeuedAfterFlushall = Date.now() - lostAt;

    // And again by a crash: the server is killed and comes back empty.
    await redis!.kill();
    await redis!.start();
    lostAt = Date.now();
    for (const id of dissIds) expect(await queue.getJob(id)).toBeUndefined();
    await waitFor(() => allHaveJobs(dissIds), 'the relay to re-enqueue after Redis restarted empty', REQUEUE_BOUND_MS);
    timings.requeuedAfterRestartEmpty = Date.now() - lostAt;
    expect((await rows(ids)).every((d) => d.status === 'QUEUED' && d.inbox === 0)).toBe(true);

    const requeues = await t.get('/api/v1/audit-events', { token: auditor.token, query: { action: 'dissemination.requeue', limit: '200' } });
    expect(requeues.status).toBe(200);
    for (const id of dissIds) {
      expect(requeues.body.items.filter((e: { resourceId: string }) => e.resourceId === id).length).toBeGreaterThanOrEqual(2);
    }

    await startInProcessWorker();
    const delivered = await waitFor(() => allDelivered(ids), 'delivery of the re-enqueued disseminations', REQUEUE_BOUND_MS);
    expect(delivered).toHaveLength(8);
    expect(delivered.every((d) => d.attempts === 1)).toBe(true);
    timings.repeatedPostsAfterDataLoss = expectDeliveredOnce(delivered);
    await expectAuditChainValid();
    await stopInProcessWorker();
  }, 90_000);

  // ── 2. Worker killed mid-delivery ──────────────────────────────────────────────────────────────

  it('recovers a delivery whose worker was SIGKILLed mid-POST: DELIVERED, one inbox item, repeats only with the same webhook-id', async () => {
    await ensureRedis();
    expect(inProcessWorker).toBeUndefined();
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      QUEUE_PREFIX: process.env.QUEUE_PREFIX,
      WEBHOOK_ALLOWED_HOSTS: process.env.WEBHOOK_ALLOWED_HOSTS,
      JWT_SECRET: process.env.JWT_SECRET,
      BOOTSTRAP_ADMIN_PASSWORD: process.env.BOOTSTRAP_ADMIN_PASSWORD,
      DISSEMINATION_BACKOFF_MS: process.env.DISSEMINATION_BACKOFF_MS,
      DISSEMINATION_MAX_ATTEMPTS: process.env.DISSEMINATION_MAX_ATTEMPTS,
    };
    const slow = agencies[3];
    receiver.hold(pathOf(slow));

    const first = WorkerProcess.start(env);
    children.push(first);
    await waitFor(async () => {
      if (!first.running) throw new Error(`worker exited at start:\n${first.log()}`);
      return (await queue.getWorkersCount()) >= 1;
    }, 'the worker process to start');
    timings.workerProcessStartup = Date.now() - first.startedAt;

    const id = await reviewedAssessment();
    const postsToSlow = () => receiver.for(pathOf(slow)).filter((p) => (JSON.parse(p.body) as { assessmentId?: string }).assessmentId === id);
    await publish(id);
    await waitFor(async () => {
      if (!first.running) throw new Error(`worker exited:\n${first.log()}`);
      const r = await rows([id]);
      return postsToSlow().length === 1 && r.filter((d) => d.status === 'DELIVERED').length === agencies.length - 1;
    }, 'the other deliveries, and the held POST to arrive').catch(async (err: Error) => {
      throw new Error(`${err.message}\nrows: ${JSON.stringify(await rows([id]))}\nheld posts: ${postsToSlow().length}\nworker log:\n${first.log()}`);
    });
    const [stuck] = (await rows([id])).filter((d) => d.agency_id === slow.id);
    // The inbox item is written before the POST; the POST hangs; the dissemination is still open.
    expect(stuck).toMatchObject({ status: 'QUEUED', attempts: 1, inbox: 1 });

    await first.stop('SIGKILL');
    const killedAt = Date.now();
    receiver.answer(pathOf(slow), 200);
    // The job is still "active" in Redis (its lock has not expired): the relay must leave it alone.
    expect(await queue.getJobState(stuck.id)).toBe('active');

    const second = WorkerProcess.start(env);
    children.push(second);
    const recovered = await waitFor(
      async () => {
        if (!second.running) throw new Error(`second worker exited:\n${second.log()}`);
        const [d] = (await rows([id])).filter((r) => r.id === stuck.id);
        return d.status === 'DELIVERED' ? d : null;
      },
      'the stalled delivery to be recovered by the new worker',
      90_000,
    );
    timings.stalledDeliveryRecoveredAfterKill = Date.now() - killedAt;

    expect(recovered).toMatchObject({ status: 'DELIVERED', attempts: 2, inbox: 1 });
    const all = await allDelivered([id]);
    expect(all).not.toBeNull();
    timings.repeatedPostsAfterWorkerKill = expectDeliveredOnce(all!);
    // The POST the killed worker left hanging, and the one that succeeded: same webhook-id, same body.
    const heldPosts = postsToSlow();
    expect(heldPosts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(heldPosts.map((p) => p.headers['webhook-id']))).toEqual(new Set([stuck.id]));
    const view = await t.get(`/api/v1/assessments/${id}/disseminations`, { token: analyst.token });
    expect(view.body.find((d: { id: string }) => d.id === stuck.id)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    // The relay never re-added the stalled job (it still existed, "active"); the delivery is audited once.
    const trail = await t.get('/api/v1/audit-events', { token: auditor.token, query: { resourceId: stuck.id, limit: '200' } });
    const actions: string[] = trail.body.items.map((e: { action: string }) => e.action);
    expect(actions).not.toContain('dissemination.requeue');
    expect(actions.filter((a) => a === 'dissemination.deliver')).toHaveLength(1);
    timings.auditedAttemptsOfKilledDelivery = actions.filter((a) => a === 'dissemination.attempt').length;
    await expectAuditChainValid();

    const stopping = Date.now();
    await second.stop('SIGTERM');
    timings.workerGracefulStop = Date.now() - stopping;
  }, 150_000);
});

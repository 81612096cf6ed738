/**
 * npm run bench:faults — the fault tests of issue 6, each bounded in time and self-cleaning.
 *
 *   1. redis-sigkill   SIGKILL Redis during 50 publishes × 20 agencies, restart it (empty)
 *   2. postgres-stop   `pg_ctl stop -m immediate` on a private cluster during intake (clients retry the same key), start it again
 *   3. worker-sigkill  SIGKILL the worker while the webhook receiver holds requests, start a new one
 *   4. api-sigstop     SIGSTOP the API for 30 s during intake, SIGCONT
 *
 * Clients record every Idempotency-Key and response, the receiver every webhook POST; the checker
 * reconciles both with PostgreSQL and verifies the audit chain. Writes `faults` into
 * bench/results.json and the "Fault tests" block of bench/RESULTS.md (bench/lib/faults-report.ts).
 * Exit code 1 when a fault failed. BENCH_FAULTS=redis-sigkill,api-sigstop runs a subset (written to
 * bench/.data/faults-partial.md only); BENCH_SKIP_BUILD=1 reuses the last build.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { WebhookReceiver } from '../test/support/webhook-receiver';
import { RedisServer } from '../test/support/child-processes';
import { settings } from './lib/config';
import { type DisseminationCheck, checkDissemination, checkIntake, type IntakeCheck, IntakeClients, Observations, Prober, request, verifyAuditChain } from './lib/faults-check';
import { build, errText, PrivatePostgres, reviewedAssessment, Scope, setupWorld, startWorker, waitUntil, withTimeout, type World } from './lib/faults-infra';
import { type CountValue, type FaultOutcome, type FaultsRun, writeFaultsResults } from './lib/faults-report';
import { freePort, killAllChildren } from './lib/proc';
import { inBatches, sleep } from './lib/stats';

const T0 = performance.now();
const log = (s: string): void => {
  process.stdout.write(`[${((performance.now() - T0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
};
const secs = (ms: number) => Math.round(ms / 100) / 10;

/** Hard limit of one fault, set-up and clean-up excluded (BENCH_FAULT_TIMEOUT, seconds). */
const FAULT_LIMIT_MS = Number(process.env.BENCH_FAULT_TIMEOUT ?? 180) * 1000;

/** What a fault body hands back: its counts and the invariants that failed. */
interface Finding {
  fault: string;
  lost: number;
  duplicated: number;
  counts: [string, CountValue][];
  failures: string[];
  notes: string[];
}

/** The fault running now (its scope and abort controller), for Ctrl-C. */
let current: { scope: Scope; controller: AbortController } | null = null;
let interrupted = false;

async function newRedis(scope: Scope): Promise<RedisServer> {
  const redis = new RedisServer(await freePort());
  await redis.start();
  scope.defer(`redis-server :${redis.port}`, () => redis.kill());
  return redis;
}

async function newReceiver(scope: Scope): Promise<WebhookReceiver> {
  const receiver = new WebhookReceiver();
  await receiver.start();
  scope.defer('webhook receiver', () => receiver.stop());
  return receiver;
}

const delivered = async (w: World, ids: string[]) =>
  (
    await w.db.query<{ done: number; total: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE status IN ('DELIVERED','ACKNOWLEDGED'))::int AS done, count(*) FILTER (WHERE status = 'FAILED')::int AS failed, count(*)::int AS total
         FROM dissemination WHERE assessment_id = ANY($1::uuid[])`,
      [ids],
    )
  ).rows[0];

/** The rows every dissemination fault reports, and the invariants every one of them must hold. */
function disseminationFindings(c: DisseminationCheck, chain: { valid: boolean; checked: number; detail: string }, failures: string[]): [string, CountValue][] {
  if (c.rows !== c.expected) failures.push(`${c.rows} dissemination rows for ${c.expected} (assessment, agency) pairs`);
  if (c.notDelivered.length) failures.push(`not delivered: ${c.notDelivered.slice(0, 10).join(', ')}${c.notDelivered.length > 10 ? ', …' : ''}`);
  if (c.inboxMissing) failures.push(`${c.inboxMissing} (assessment, agency) pairs have no inbox item`);
  if (c.inboxExtra) failures.push(`${c.inboxExtra} extra inbox items (an (assessment, agency) in the inbox more than once)`);
  if (c.webhookMissing) failures.push(`${c.webhookMissing} webhook (assessment, agency) pairs never POSTed`);
  if (c.webhookIdMismatches) failures.push(`${c.webhookIdMismatches} webhook POSTs carry a webhook-id other than the dissemination id of their (assessment, agency)`);
  if (c.badSignatures) failures.push(`${c.badSignatures} webhook POSTs fail Standard Webhooks verification`);
  if (!chain.valid) failures.push(`audit chain: ${chain.detail}`);
  return [
    ['(assessment, agency) pairs expected', c.expected],
    ['dissemination rows', c.rows],
    ['delivered', c.delivered],
    ['inbox items (rows)', c.inboxItems],
    ['pairs missing from the inbox', c.inboxMissing],
    ['extra inbox items', c.inboxExtra],
    ['webhook pairs', c.webhookPairs],
    ['webhook POSTs received', c.webhookPosts],
    ['webhook pairs never POSTed', c.webhookMissing],
    ['webhook repeats with the same webhook-id (allowed)', c.webhookRepeatsSameId],
    ['webhook-ids other than the dissemination id', c.webhookIdMismatches],
    ['signatures failing verification', c.badSignatures],
    ['most attempts of one dissemination', c.attemptsMax],
    ['audit chain verified', chain.valid],
    ['audit events checked', chain.checked],
  ];
}

/** The rows every intake fault reports, and the invariants every one of them must hold. */
function intakeFindings(c: IntakeCheck, obs: Observations, chain: { valid: boolean; checked: number; detail: string }, failures: string[]): [string, CountValue][] {
  if (c.lost) failures.push(`${c.lost} acknowledged reports have no row`);
  if (c.duplicated) failures.push(`${c.duplicated} extra report rows (a key stored more than once)`);
  if (c.unacknowledged) failures.push(`${c.unacknowledged} keys never acknowledged within the drain time`);
  if (c.rejected.length) failures.push(`keys rejected: ${c.rejected.slice(0, 5).join('; ')}`);
  if (c.orphans) failures.push(`${c.orphans} reports no client asked for`);
  if (c.idempotencyMismatches) failures.push(`${c.idempotencyMismatches} acknowledged keys whose idempotency_key row is missing or names another report`);
  if (c.auditMismatches) failures.push(`${c.auditMismatches} reports without exactly one report.create audit event`);
  if (obs.fiveHundreds.length) {
    const byRoute = new Map<string, number>();
    for (const f of obs.fiveHundreds) byRoute.set(`${f.route} (${f.phase})`, (byRoute.get(`${f.route} (${f.phase})`) ?? 0) + 1);
    failures.push(
      `500s: ${[...byRoute].map(([r, n]) => `${r} ×${n}`).join(', ')}; e.g. request ${obs.fiveHundreds[0].requestId}: "${obs.fiveHundreds[0].message}"`,
    );
  }
  if (!chain.valid) failures.push(`audit chain: ${chain.detail}`);
  return [
    ['reports posted (keys)', c.keys],
    ['acknowledged (201)', c.acknowledged],
    ['report rows found', c.rows],
    ['lost', c.lost],
    ['duplicated', c.duplicated],
    ['unacknowledged keys', c.unacknowledged],
    ['unacknowledged keys with a row (in flight)', c.inFlightRows],
    ['attempts', c.attempts],
    ['keys retried', c.retried],
    ['replays answered (Idempotent-Replayed)', c.replays],
    ['idempotency records not matching the acknowledgement', c.idempotencyMismatches],
    ['reports without exactly one report.create audit event', c.auditMismatches],
    ['500s seen (all routes)', obs.fiveHundreds.length],
    ['audit chain verified', chain.valid],
    ['audit events checked', chain.checked],
  ];
}

// --------------------------------------------------------------------------- 1. Redis SIGKILL

async function redisFault(scope: Scope, signal: AbortSignal): Promise<Finding> {
  const ASSESSMENTS = 50;
  const redis = await newRedis(scope);
  const receiver = await newReceiver(scope);
  const w = await setupWorld({ tag: 'redis', scope, pgServer: settings.pgServer, dropDatabase: true, redis, receiver, recipients: 20, worker: true, log });
  const ids = await inBatches(
    Array.from({ length: ASSESSMENTS }, (_, i) => i),
    4,
    (i) => reviewedAssessment(w, i),
  );
  log(`  ${ASSESSMENTS} assessments drafted and submitted; publishing (2 at a time), SIGKILL Redis after the 15th`);
  const publishStatuses = new Map<string, number>();
  let published = 0;
  let publishedWhileDown = 0;
  let redisDown = false;
  const publishing = inBatches(ids, 2, async (id) => {
    const a = await request(w.base, 'POST', `/api/v1/assessments/${id}/publish`, { token: w.tokens.supervisor, timeoutMs: 30_000 });
    const k = a.status === null ? `no answer (${a.error})` : String(a.status);
    publishStatuses.set(k, (publishStatuses.get(k) ?? 0) + 1);
    published += 1;
    if (redisDown) publishedWhileDown += 1;
  });
  await waitUntil(() => published >= 15, '15 publications', 60_000, signal, 20);
  // Kill when jobs are waiting in Redis (QUEUED, not yet delivered): those are what an empty Redis loses.
  const byStatus = async () =>
    Object.fromEntries(
      (await w.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM dissemination WHERE assessment_id = ANY($1::uuid[]) GROUP BY status', [ids])).rows.map((r) => [
        r.status,
        r.n,
      ]),
    ) as Record<string, number | undefined>;
  let atKill: Record<string, number | undefined> = {};
  await waitUntil(
    async () => {
      atKill = await byStatus();
      return (atKill.QUEUED ?? 0) >= 50;
    },
    '50 disseminations queued in Redis',
    20_000,
    signal,
    20,
  ).catch(() => log('  fewer than 50 disseminations queued after 20 s; killing Redis anyway'));
  await redis.kill();
  redisDown = true;
  const killedAt = Date.now();
  log(
    `  Redis SIGKILLed after ${published} publications (disseminations: ${atKill.PENDING ?? 0} pending, ${atKill.QUEUED ?? 0} queued in Redis, ${atKill.DELIVERED ?? 0} delivered); down for 3 s`,
  );
  await sleep(3000);
  await redis.start();
  redisDown = false;
  const restartedAt = Date.now();
  log(`  Redis restarted empty on :${redis.port}; waiting for every dissemination to be delivered`);
  await withTimeout(publishing, 60_000, 'the publications');
  let last = { done: 0, total: 0, failed: 0 };
  let allDeliveredMs: number | null = null;
  try {
    await waitUntil(
      async () => {
        last = await delivered(w, ids);
        return last.done === ASSESSMENTS * w.recipients.length || last.failed > 0;
      },
      'every dissemination to be delivered',
      120_000,
      signal,
      250,
    );
    if (last.failed === 0) allDeliveredMs = Date.now() - restartedAt;
  } catch (e) {
    log(`  ${errText(e)} (${last.done}/${last.total} delivered)`);
  }
  await sleep(2000); // let late repeats of webhook POSTs land before counting
  const chain = await verifyAuditChain(w);
  const c = await checkDissemination(w.db, ids, w.recipients, receiver);
  const requeued = (await w.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE action = 'dissemination.requeue'")).rows[0].n;
  const failures: string[] = [];
  const ok = publishStatuses.get('200') ?? 0;
  if (ok !== ASSESSMENTS) failures.push(`publish answers: ${[...publishStatuses].map(([s, n]) => `${s}×${n}`).join(', ')} (every one should be 200, Redis or not)`);
  if (allDeliveredMs === null) failures.push(`not every dissemination delivered within 120 s of Redis coming back (${last.done}/${ASSESSMENTS * w.recipients.length}, ${last.failed} FAILED)`);
  const counts = disseminationFindings(c, chain, failures);
  log(`  checked: ${c.delivered}/${c.expected} delivered, inbox missing ${c.inboxMissing}, extra ${c.inboxExtra}, webhook repeats (same id) ${c.webhookRepeatsSameId}, id mismatches ${c.webhookIdMismatches}, chain ${chain.detail}`);
  return {
    fault: `${ASSESSMENTS} publications × ${w.recipients.length} agencies (${w.recipients.filter((r) => r.hook).length} with webhooks); Redis SIGKILLed after the 15th, restarted empty 3 s later`,
    lost: c.lost,
    duplicated: c.duplicated,
    counts: [
      ['publications answered 200', ok],
      ['publications answered while Redis was down', publishedWhileDown],
      ['disseminations pending / queued in Redis / delivered when Redis was killed', `${atKill.PENDING ?? 0} / ${atKill.QUEUED ?? 0} / ${atKill.DELIVERED ?? 0}`],
      ['Redis down (s)', secs(restartedAt - killedAt)],
      ['all delivered, s after Redis was back', allDeliveredMs === null ? null : secs(allDeliveredMs)],
      ['re-enqueued by the relay (dissemination.requeue events)', requeued],
      ...counts,
    ],
    failures,
    notes: [],
  };
}

// ---------------------------------------------------------------------- 2. PostgreSQL stopped


/**
 * After an intake fault ends: waits (up to 60 s) for the first acknowledged report and a healthy
 * /health, measured from `since`, then lets the clients finish their keys and stops the prober.
 */
async function recovery(clients: IntakeClients, prober: Prober, since: number, what: string, signal: AbortSignal): Promise<{ firstAckMs: number | null; healthyMs: number | null }> {
  let firstAckMs: number | null = null;
  let healthyMs: number | null = null;
  try {
    await waitUntil(
      () => {
        if (firstAckMs === null && clients.acknowledgedSince(since) > 0) firstAckMs = Date.now() - since;
        if (healthyMs === null && prober.lastHealth === 200) healthyMs = Date.now() - since;
        return firstAckMs !== null && healthyMs !== null;
      },
      what,
      60_000,
      signal,
      50,
    );
  } catch (e) {
    log(`  ${errText(e)}`);
  }
  await sleep(5000);
  await clients.finish(60_000);
  await prober.stop();
  return { firstAckMs, healthyMs };
}
async function postgresFault(scope: Scope, signal: AbortSignal): Promise<Finding> {
  const DOWN_MS = 10_000;
  const pg = await PrivatePostgres.create();
  scope.defer(`private PostgreSQL ${pg.dir}`, () => pg.destroy());
  await pg.start();
  const version = await (async () => {
    const c = new Client({ connectionString: `${pg.server}/postgres` });
    await c.connect();
    try {
      return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    } finally {
      await c.end();
    }
  })();
  log(`  private PostgreSQL ${version} on :${pg.port} (${pg.dir})`);
  const redis = await newRedis(scope);
  const receiver = await newReceiver(scope);
  const w = await setupWorld({ tag: 'postgres', scope, pgServer: pg.server, dropDatabase: false, redis, receiver, recipients: 0, worker: false, log });
  const obs = new Observations();
  const clients = new IntakeClients(w, obs, { clients: 8, attemptTimeoutMs: 10_000, retryDelayMs: 250, signal });
  const prober = new Prober(w, obs, 250);
  const apiPid = w.apiChild.pid;
  clients.start();
  prober.start();
  try {
    await sleep(5000);
    const beforeStop = clients.acknowledged;
    obs.phase = 'stopping';
    const stopAt = Date.now();
    await pg.stopImmediate();
    obs.phase = 'down';
    log(`  pg_ctl stop -m immediate after ${beforeStop} acknowledged reports (took ${Date.now() - stopAt} ms); down for ${DOWN_MS / 1000} s, clients keep retrying the same keys`);
    await sleep(DOWN_MS);
    obs.phase = 'restarting';
    await pg.start();
    const upAt = Date.now();
    obs.phase = 'after';
    log('  PostgreSQL started again (crash recovery); waiting for the API to recover by itself');
    const { firstAckMs, healthyMs } = await recovery(clients, prober, upAt, 'a 201 and a healthy /health after PostgreSQL restarted', signal);
    const chain = await verifyAuditChain(w);
    const c = await checkIntake(w.db, w.officerId, clients.keys);
    const failures: string[] = [];
    // The outage: from `pg_ctl stop` to the end of `pg_ctl start` (crash recovery included).
    const outage = (p: string) => p === 'stopping' || p === 'down' || p === 'restarting';
    const answeredDown = obs.count((p, _r, s) => outage(p) && !s.startsWith('no answer'));
    const notAnsweredDown = obs.count((p, _r, s) => outage(p) && s.startsWith('no answer'));
    const okDown = obs.count((p, _r, s) => outage(p) && s.startsWith('2'));
    const down503 = obs.count((p, _r, s) => outage(p) && s === '503');
    const wrong = new Map<string, number>();
    for (const [p, byRoute] of obs.table) {
      if (!outage(p)) continue;
      for (const [route, byStatus] of byRoute) {
        for (const [status, n] of byStatus) {
          if (status === '503' || status.startsWith('2') || status.startsWith('no answer')) continue;
          wrong.set(`${route} → ${status}`, (wrong.get(`${route} → ${status}`) ?? 0) + n);
        }
      }
    }
    const wrongDown = [...wrong.values()].reduce((a, b) => a + b, 0);
    if (down503 === 0) failures.push('no 503 while PostgreSQL was down');
    if (wrongDown) failures.push(`${wrongDown} answers other than 503 while PostgreSQL was down: ${[...wrong].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    if (notAnsweredDown) failures.push(`${notAnsweredDown} requests got no answer while PostgreSQL was down`);
    if (firstAckMs === null) failures.push('no report acknowledged within 60 s of PostgreSQL being back');
    if (healthyMs === null) failures.push('/health not 200 within 60 s of PostgreSQL being back');
    if (!w.apiChild.alive || w.apiChild.pid !== apiPid) failures.push('the API process did not survive the outage');
    const counts = intakeFindings(c, obs, chain, failures);
    log(`  checked: ${c.acknowledged} acknowledged, ${c.rows} rows, lost ${c.lost}, duplicated ${c.duplicated}; while down ${down503} × 503, ${obs.fiveHundreds.length} × 500; chain ${chain.detail}`);
    return {
      fault: `8 intake clients (Idempotency-Key, 10-s attempts, retry the same key); \`pg_ctl stop -m immediate\` on the run's own cluster after 5 s, started again ${DOWN_MS / 1000} s later`,
      lost: c.lost,
      duplicated: c.duplicated,
      counts: [
        ['PostgreSQL', version],
        ['acknowledged before the stop', beforeStop],
        ['PostgreSQL down (s)', secs(upAt - stopAt)],
        ['answers during the outage (all routes)', answeredDown],
        ['503s during the outage', down503],
        ['2xx during the outage (requests finishing as the stop began)', okDown],
        ['other answers during the outage (must be 0)', wrongDown],
        ['requests without an answer during the outage', notAnsweredDown],
        ['first 201, s after PostgreSQL was back', firstAckMs === null ? null : secs(firstAckMs)],
        ['/health 200, s after PostgreSQL was back', healthyMs === null ? null : secs(healthyMs)],
        ['API process restarted', !(w.apiChild.alive && w.apiChild.pid === apiPid) ? 'yes' : 'no (same pid)'],
        ...counts,
      ],
      failures,
      notes: ['Answers by phase (route status×count): ' + obs.describe().join(' — ')],
    };
  } finally {
    await clients.finish(0).catch(() => undefined);
    await prober.stop();
  }
}

// ------------------------------------------------------------------------- 3. worker SIGKILL

async function workerFault(scope: Scope, signal: AbortSignal): Promise<Finding> {
  const ASSESSMENTS = 5;
  const redis = await newRedis(scope);
  const receiver = await newReceiver(scope);
  const w = await setupWorld({ tag: 'worker', scope, pgServer: settings.pgServer, dropDatabase: true, redis, receiver, recipients: 20, worker: true, log });
  const heldAgencies = w.recipients.filter((r) => r.hook).slice(0, 2);
  for (const r of heldAgencies) receiver.hold(`/hook/${r.code}`);
  const ids: string[] = [];
  for (let i = 0; i < ASSESSMENTS; i++) ids.push(await reviewedAssessment(w, i));
  const heldPosts = () => receiver.received.filter((p) => heldAgencies.some((r) => p.path === `/hook/${r.code}`));
  for (const id of ids) await w.api.expect(200, 'POST', `/api/v1/assessments/${id}/publish`, { token: w.tokens.supervisor });
  const wantHeld = ASSESSMENTS * heldAgencies.length;
  log(`  ${ASSESSMENTS} assessments published to ${w.recipients.length} agencies; the receiver holds every POST to ${heldAgencies.map((r) => r.code).join(' and ')} (${wantHeld} requests)`);
  // Kill when every held POST has arrived — or, at the latest, 7 s after the first (the worker's webhook timeout is 10 s).
  await waitUntil(
    () => {
      const held = heldPosts();
      return held.length >= wantHeld || (held.length > 0 && Date.now() - Math.min(...held.map((p) => p.at)) >= 7000);
    },
    'held webhook POSTs',
    60_000,
    signal,
    50,
  );
  const atKill = await delivered(w, ids);
  const heldAtKill = heldPosts().length;
  const oldest = Math.min(...heldPosts().map((p) => p.at));
  const worker = w.worker!;
  worker.proc.kill('SIGKILL');
  await waitUntil(() => !worker.alive, 'the worker to die', 10_000, signal, 20);
  const killedAt = Date.now();
  log(`  worker SIGKILLed holding ${heldAtKill} webhook requests (oldest held ${Date.now() - oldest} ms; ${atKill.done}/${atKill.total} delivered); the receiver answers 200 from now on; new worker`);
  for (const r of heldAgencies) receiver.answer(`/hook/${r.code}`, 200);
  w.worker = await startWorker(w, scope);
  let recoveredMs: number | null = null;
  let last = { done: 0, total: 0, failed: 0 };
  try {
    await waitUntil(
      async () => {
        last = await delivered(w, ids);
        return last.done === ASSESSMENTS * w.recipients.length || last.failed > 0;
      },
      'every dissemination to be delivered after the worker was killed',
      120_000,
      signal,
      250,
    );
    if (last.failed === 0) recoveredMs = Date.now() - killedAt;
  } catch (e) {
    log(`  ${errText(e)} (${last.done}/${last.total} delivered)`);
  }
  await sleep(1000);
  const chain = await verifyAuditChain(w);
  const c = await checkDissemination(w.db, ids, w.recipients, receiver);
  const heldPairsRepeated = new Set(
    heldPosts()
      .map((p) => `${p.path}|${String(p.headers['webhook-id'])}`)
      .filter((k, i, all) => all.indexOf(k) !== i),
  ).size;
  const failures: string[] = [];
  if (recoveredMs === null) failures.push(`not every dissemination delivered within 120 s of the kill (${last.done}/${ASSESSMENTS * w.recipients.length}, ${last.failed} FAILED)`);
  if (heldAtKill === 0) failures.push('no webhook request was held when the worker was killed (the fault did not happen)');
  const counts = disseminationFindings(c, chain, failures);
  log(`  checked: ${c.delivered}/${c.expected} delivered, inbox missing ${c.inboxMissing}, extra ${c.inboxExtra}, webhook repeats (same id) ${c.webhookRepeatsSameId}, id mismatches ${c.webhookIdMismatches}, chain ${chain.detail}`);
  return {
    fault: `${ASSESSMENTS} publications × ${w.recipients.length} agencies; the receiver holds the POSTs to 2 webhook agencies; worker SIGKILLed while holding them, a new worker started`,
    lost: c.lost,
    duplicated: c.duplicated,
    counts: [
      ['webhook requests held at the kill', heldAtKill],
      ['disseminations delivered at the kill', atKill.done],
      ['all delivered, s after the kill (stalled-job recovery)', recoveredMs === null ? null : secs(recoveredMs)],
      ['held (assessment, agency) pairs POSTed again with the same webhook-id', heldPairsRepeated],
      ...counts,
    ],
    failures,
    notes: [],
  };
}

// --------------------------------------------------------------------------- 4. API SIGSTOP

async function apiFault(scope: Scope, signal: AbortSignal): Promise<Finding> {
  const STOP_MS = 30_000;
  const redis = await newRedis(scope);
  const receiver = await newReceiver(scope);
  const w = await setupWorld({ tag: 'api', scope, pgServer: settings.pgServer, dropDatabase: true, redis, receiver, recipients: 0, worker: false, log });
  const obs = new Observations();
  const clients = new IntakeClients(w, obs, { clients: 8, attemptTimeoutMs: 5000, retryDelayMs: 250, signal });
  const prober = new Prober(w, obs, 500);
  const pid = w.apiChild.pid;
  clients.start();
  prober.start();
  try {
    await sleep(5000);
    const beforeStop = clients.acknowledged;
    process.kill(pid, 'SIGSTOP');
    obs.phase = 'stopped';
    const stoppedAt = Date.now();
    log(`  API (pid ${pid}) SIGSTOPped after ${beforeStop} acknowledged reports; 30 s, clients time out after 5 s and retry the same key`);
    await sleep(STOP_MS);
    process.kill(pid, 'SIGCONT');
    const contAt = Date.now();
    obs.phase = 'after';
    const { firstAckMs, healthyMs } = await recovery(clients, prober, contAt, 'a 201 and a healthy /health after SIGCONT', signal);
    const health = await request(w.base, 'GET', '/health', { timeoutMs: 5000 });
    const chain = await verifyAuditChain(w);
    const c = await checkIntake(w.db, w.officerId, clients.keys);
    const timeouts = clients.keys.reduce((s, k) => s + k.attempts.filter((a) => a.phase === 'stopped' && a.error === 'timeout').length, 0);
    const failures: string[] = [];
    if (firstAckMs === null) failures.push('no report acknowledged within 60 s of SIGCONT');
    if (health.status !== 200) failures.push(`/health answered ${health.status ?? health.error} at the end`);
    if (!w.apiChild.alive) failures.push('the API process died');
    const counts = intakeFindings(c, obs, chain, failures);
    log(`  checked: ${c.acknowledged} acknowledged, ${c.rows} rows, lost ${c.lost}, duplicated ${c.duplicated}, replays ${c.replays}; chain ${chain.detail}`);
    return {
      fault: '8 intake clients (Idempotency-Key, 5-s attempts, retry the same key); the API SIGSTOPped for 30 s after 5 s, then SIGCONT',
      lost: c.lost,
      duplicated: c.duplicated,
      counts: [
        ['acknowledged before the stop', beforeStop],
        ['API stopped (s)', secs(contAt - stoppedAt)],
        ['client attempts timed out while stopped', timeouts],
        ['first 201, s after SIGCONT', firstAckMs === null ? null : secs(firstAckMs)],
        ['/health 200, s after SIGCONT', healthyMs === null ? null : secs(healthyMs)],
        ['/health at the end', health.status],
        ...counts,
      ],
      failures,
      notes: ['Answers by phase (route status×count): ' + obs.describe().join(' — ')],
    };
  } finally {
    if (w.apiChild.alive) process.kill(pid, 'SIGCONT');
    await clients.finish(0).catch(() => undefined);
    await prober.stop();
  }
}

// ------------------------------------------------------------------------------------------ main

const FAULTS: { name: string; title: string; body: (scope: Scope, signal: AbortSignal) => Promise<Finding> }[] = [
  { name: 'redis-sigkill', title: 'Redis SIGKILLed during 50 publishes × 20 agencies, restarted empty', body: redisFault },
  { name: 'postgres-stop', title: 'PostgreSQL stopped (immediate) during intake, started again', body: postgresFault },
  { name: 'worker-sigkill', title: 'worker SIGKILLed while the receiver holds webhook requests', body: workerFault },
  { name: 'api-sigstop', title: 'API SIGSTOPped for 30 s during intake', body: apiFault },
];

async function runFault(f: (typeof FAULTS)[number]): Promise<FaultOutcome> {
  log(`fault ${f.name}: ${f.title}`);
  const scope = new Scope();
  const controller = new AbortController();
  current = { scope, controller };
  const t = performance.now();
  let finding: Finding | null = null;
  let error: string | null = null;
  try {
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true }));
    finding = await Promise.race([withTimeout(f.body(scope, controller.signal), FAULT_LIMIT_MS, f.name), aborted]);
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log(`  ${f.name} failed: ${errText(e)}`);
  } finally {
    controller.abort();
    await scope.close();
    current = null;
  }
  const seconds = (performance.now() - t) / 1000;
  if (scope.problems.length) log(`  clean-up problems: ${scope.problems.join('; ')}`);
  const failures = [...(finding?.failures ?? []), ...(error ? [`did not complete: ${error.split('\n')[0]}`] : [])];
  const outcome: FaultOutcome = {
    name: f.name,
    title: f.title,
    fault: finding?.fault ?? f.title,
    // A fault that did not complete proves nothing: it fails, with whatever it counted.
    passed: finding !== null && error === null && failures.length === 0,
    lost: finding?.lost ?? 0,
    duplicated: finding?.duplicated ?? 0,
    seconds,
    counts: finding?.counts ?? [],
    failures,
    notes: [...(finding?.notes ?? []), ...(scope.problems.length ? [`clean-up problems: ${scope.problems.join('; ')}`] : [])],
  };
  log(`  ${f.name}: ${outcome.passed ? 'PASS' : 'FAIL'} (lost ${outcome.lost}, duplicated ${outcome.duplicated}) in ${seconds.toFixed(0)} s`);
  for (const x of outcome.failures) log(`    ✗ ${x}`);
  return outcome;
}

async function machine(): Promise<FaultsRun['machine']> {
  const c = new Client({ connectionString: `${settings.pgServer}/postgres` });
  let postgres = 'unknown';
  try {
    await c.connect();
    postgres = `PostgreSQL ${(await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version}`;
  } catch {
    /* reported as unknown */
  } finally {
    await c.end().catch(() => undefined);
  }
  let redis = 'unknown';
  try {
    redis = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    /* unknown */
  }
  return { cores: cpus().length, node: process.version, postgres, redis };
}

async function main(): Promise<number> {
  const wanted = process.env.BENCH_FAULTS?.split(',').map((s) => s.trim()).filter(Boolean);
  const selected = wanted ? FAULTS.filter((f) => wanted.includes(f.name)) : FAULTS;
  if (wanted && selected.length !== wanted.length) throw new Error(`BENCH_FAULTS: unknown fault in ${wanted.join(',')} (known: ${FAULTS.map((f) => f.name).join(', ')})`);
  log(`npm run bench:faults — ${selected.map((f) => f.name).join(', ')}; each limited to ${FAULT_LIMIT_MS / 1000} s`);
  const facts = await machine();
  build(log);
  const outcomes: FaultOutcome[] = [];
  for (const f of selected) {
    const outcome = await runFault(f);
    if (interrupted) {
      log('interrupted: nothing written');
      return 130;
    }
    outcomes.push(outcome);
  }
  const run: FaultsRun = { date: new Date().toISOString(), seconds: (performance.now() - T0) / 1000, machine: facts, outcomes };
  const file = writeFaultsResults(run, selected.length !== FAULTS.length);

  const rows = outcomes.map((o) => [o.name, o.passed ? 'pass' : 'FAIL', String(o.lost), String(o.duplicated), o.seconds.toFixed(0)]);
  const head = ['fault', 'result', 'lost', 'duplicated', 'time s'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((x, i) => x.padEnd(width[i])).join('  ');
  process.stdout.write(`\n${line(head)}\n${line(width.map((n) => '-'.repeat(n)))}\n${rows.map(line).join('\n')}\n\n`);
  log(`wrote ${file}${selected.length === FAULTS.length ? ' and bench/results.json (faults)' : ' (BENCH_FAULTS given: committed files untouched)'}`);
  return outcomes.every((o) => o.passed) ? 0 : 1;
}

// Ctrl-C (or SIGTERM): the running fault is aborted and cleaned up by runFault, nothing is written,
// exit 130. A second signal exits at once, after ending the children this process started.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) {
      killAllChildren();
      process.exit(130);
    }
    interrupted = true;
    log(`${sig}: stopping the current fault and cleaning up (again to quit at once)`);
    current?.controller.abort();
    void current?.scope.close();
  });
}

main()
  .then((code) => {
    killAllChildren();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    process.stderr.write(`bench:faults failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await current?.scope.close().catch(() => undefined);
    killAllChildren();
    process.exit(1);
  });

/**
 * npm run bench — performance as ratios against ceilings measured in the same run (issue 6).
 *
 * Makes its own database (CREATE DATABASE + the real migrations), builds the API and the worker and
 * runs them as child processes (NODE_ENV=production, LOG_LEVEL=warn, its own QUEUE_PREFIX), sets the
 * world up through the API, measures, writes bench/RESULTS.md and bench/results.json, and cleans up
 * (database dropped, children ended by pid, Redis keys of its prefix deleted).
 *
 * BENCH_QUICK=1: 100k reports only, short runs. See bench/README.md for every knob.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Client, Pool } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { DISSEMINATION_QUEUE, producerQueueOptions, workerQueueOptions } from '../src/common/queues';
import { AuditChainer } from '../src/audit/audit-chainer';
import { deliveryJobOptions } from '../src/outbox/relay.service';
import { appendSyntheticAuditEvents, rawSha256 } from './lib/audit-seed';
import { fanoutPhase } from './lib/fanout';
import { writeFanoutResults } from './lib/fanout-report';
import { ADMIN_PASSWORD, AUDIT_SIGNING_KEY, DATA_DIR, DB_NAME, JWT_SECRET, QUEUE_PREFIX, ROOT, settings, USER_PASSWORD } from './lib/config';
import { createMigratedDatabase, dropDatabase, pool, serverFacts, typeormDataSource } from './lib/db';
import { Api } from './lib/http';
import { cannon, type LoadResult, measuredSeries, pacedLoad, rawPgLoad, type SeriesResult, sequentialLatency } from './lib/load';
import { fullScansOfReport, listQuery, type PlanNode, planSummary, seqScansOnReport, unfilteredQuery, visibleCount } from './lib/ntk';
import { Child, type CpuByProcess, cpuSince, cpuSnapshot, freePort, killAllChildren, productNodeFlags, RssSampler, waitForHttp } from './lib/proc';
import { machineFacts, writeResults } from './lib/results';
import { BROAD_SEARCH, prepareSeed, SEARCH_WORD, seed, type SeedAgency } from './lib/seed';
import { inBatches, median, round, sleep } from './lib/stats';
import { reportBody } from '../test/support/report-body';
import type { AuditResults, BenchResults, Caller, CallerRead, CorrelationReads, DisseminationResults, DisseminationRun, IntakeResults, ScaleReads, SearchReads } from './lib/types';

/** The compiled API and worker: under node_modules/.cache so lint, typecheck and jest never see them, and packages resolve. */
const DIST = process.env.BENCH_DIST ?? join(ROOT, 'node_modules', '.cache', 'fusion-bench', 'dist');
const T_START = performance.now();
const log = (s: string): void => {
  process.stdout.write(`[${((performance.now() - T_START) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
};


function build(): void {
  if ((process.env.BENCH_SKIP_BUILD === '1' || process.env.BENCH_DIST) && existsSync(join(DIST, 'main.js'))) {
    log('build: reusing node_modules/.cache/fusion-bench/dist (BENCH_SKIP_BUILD=1)');
    return;
  }
  log('build: tsc -p tsconfig.build.json → node_modules/.cache/fusion-bench/dist (what `nest build` does, into a private folder)');
  rmSync(DIST, { recursive: true, force: true });
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', DIST], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(join(DIST, 'main.js')) || !existsSync(join(DIST, 'worker.js'))) {
    throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  }
  if (r.status !== 0) log(`build: tsc reported type errors (output emitted anyway):\n${r.stdout.slice(0, 2000)}`);
}

interface World {
  dbUrl: string;
  api: Api;
  apiPort: number;
  hookPort: number;
  env: NodeJS.ProcessEnv;
  admin: string;
  tokens: Record<'analyst' | 'supervisor' | 'auditor' | 'intake' | 'onePercent' | 'none', string>;
  users: Record<'intake' | 'analyst', { id: string; agencyId: string }>;
  seedAgencies: SeedAgency[];
  hookCodes: string[];
  inboxCodes: string[];
}

let apiChild: Child | null = null;
let workerChild: Child | null = null;
let apiStarts = 0;
const rssTimeline: { at: string; mb: number | null }[] = [];
const noteRss = (at: string): void => {
  rssTimeline.push({ at, mb: apiChild?.rssMb() ?? null });
};

/** Node flags for the API and the worker: a CPU profile each when BENCH_CPU_PROF=1. */
const profArgs = (): string[] => (settings.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(DATA_DIR, 'prof')}`] : []);

async function startApi(w: Pick<World, 'env' | 'apiPort'>): Promise<Child> {
  const child = new Child(`api-${++apiStarts}`, [...productNodeFlags('start:prod'), ...profArgs(), join(DIST, 'main.js')], { ...w.env, PORT: String(w.apiPort) });
  await waitForHttp(`http://127.0.0.1:${w.apiPort}/health`, child);
  apiChild = child;
  return child;
}

async function stopApi(): Promise<void> {
  await apiChild?.stop();
  apiChild = null;
}

/** A stand-in for the agencies' systems: answers every webhook 204 and counts them. */
function startReceiver(): Promise<{ server: Server; port: number; count: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n += 1;
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, count: () => n }));
  });
}

/** The report every intake benchmark posts: the tests' body, with two entities. */
const REPORT_BODY = reportBody({
  entities: [
    { type: 'PHONE', value: '+44 7700 900123' },
    { type: 'VEHICLE', value: 'ab12 cde' },
  ],
});

// ---------------------------------------------------------------------------------------------- setup

interface DbStats {
  xact_commit: string;
  tup_inserted: string;
  tup_updated: string;
  tup_deleted: string;
  tup_fetched: string;
}

/** pg_stat_database counters of the bench database (sampled with a pause so the collector has flushed). */
async function dbStats(db: { query: Pool['query'] }): Promise<DbStats> {
  return (
    await db.query<DbStats>(
      'SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, tup_fetched FROM pg_stat_database WHERE datname = current_database()',
    )
  ).rows[0];
}

async function setup(): Promise<World> {
  log(`database ${DB_NAME}: create + migrations`);
  const dbUrl = await createMigratedDatabase(DB_NAME);
  const [apiPort, receiver] = await Promise.all([freePort(), startReceiver()]);
  receivers.push(receiver.server);
  hookCount = receiver.count;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl,
    REDIS_URL: settings.redisUrl,
    JWT_SECRET,
    AUDIT_SIGNING_KEY,
    JWT_TTL_SECONDS: '86400',
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    QUEUE_PREFIX,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    DELIVERY_CONCURRENCY: String(settings.workerConcurrency),
  };
  const w = { dbUrl, apiPort, env, hookPort: receiver.port } as World;
  log(`API: node ${productNodeFlags('start:prod').join(' ')} <cache>/dist/main.js on :${apiPort} (NODE_ENV=production, LOG_LEVEL=warn, QUEUE_PREFIX=${QUEUE_PREFIX})`);
  await startApi(w);
  const api = new Api(`http://127.0.0.1:${apiPort}`);
  w.api = api;
  w.admin = await api.login('admin', ADMIN_PASSWORD);
  const agencies = await api.expect<{ id: string; code: string; kind: string }[]>(200, 'GET', '/api/v1/agencies', { token: w.admin });
  const cell = agencies.find((a) => a.kind === 'FUSION_CELL');
  if (!cell) throw new Error('no fusion cell');

  const kinds = ['POLICE', 'SECURITY_SERVICE', 'CUSTOMS', 'BORDER', 'MILITARY', 'PUBLIC_HEALTH', 'EMERGENCY_MANAGEMENT', 'OTHER'];
  const mkAgency = (code: string, kind: string, accreditation: string) =>
    api.expect<{ id: string; code: string }>(201, 'POST', '/api/v1/agencies', { token: w.admin, body: { code, name: `Bench ${code}`, kind, accreditation } });
  const n = settings.disseminationAgencies;
  w.hookCodes = Array.from({ length: n }, (_, i) => `DW${String(i + 1).padStart(3, '0')}`);
  w.inboxCodes = Array.from({ length: n }, (_, i) => `DN${String(i + 1).padStart(3, '0')}`);
  const origin = await inBatches(
    Array.from({ length: 20 }, (_, i) => `A${String(i + 1).padStart(2, '0')}`),
    8,
    (code, i) => mkAgency(code, kinds[i % kinds.length], 'TOP_SECRET'),
  );
  const norep = await mkAgency('NOREP', 'OTHER', 'UNCLASSIFIED');
  const intake = await mkAgency('INTAKE', 'POLICE', 'TOP_SECRET');
  const hookAgencies = await inBatches(w.hookCodes, 8, (code) => mkAgency(code, 'OTHER', 'SECRET'));
  const inboxAgencies = await inBatches(w.inboxCodes, 8, (code) => mkAgency(code, 'OTHER', 'SECRET'));
  await inBatches(hookAgencies, 8, (a) =>
    api.expect(200, 'PUT', `/api/v1/agencies/${a.id}/webhook`, { token: w.admin, body: { url: `http://127.0.0.1:${w.hookPort}/hook/${a.code}` } }),
  );
  log(`agencies: 20 originating, NOREP, INTAKE, ${n} with webhooks, ${n} inbox-only (through POST /api/v1/agencies)`);

  let u = 0;
  const mkUser = async (agencyId: string, roles: string[], clearance: string, compartments: string[]) => {
    const username = `bench${++u}`;
    const body = await api.expect<{ id: string }>(201, 'POST', '/api/v1/users', {
      token: w.admin,
      body: { username, password: USER_PASSWORD, agencyId, roles, clearance, compartments },
    });
    return { id: body.id, username, agencyId };
  };
  // A cleared person in each recipient agency: without one it is sent no FULL copy (SPEC S1).
  await inBatches([...hookAgencies, ...inboxAgencies], 8, (a) => mkUser(a.id, ['OFFICER'], 'SECRET', []));
  const submitters = await inBatches(origin, 4, (a) => mkUser(a.id, ['OFFICER'], 'TOP_SECRET', ['HUMINT', 'SIGINT', 'FININT']));
  w.seedAgencies = origin.map((a, i) => ({ id: a.id, code: a.code, userId: submitters[i].id }));
  const people = {
    analyst: await mkUser(cell.id, ['ANALYST'], 'TOP_SECRET', ['HUMINT', 'SIGINT']),
    supervisor: await mkUser(cell.id, ['SUPERVISOR'], 'TOP_SECRET', ['HUMINT', 'SIGINT']),
    auditor: await mkUser(cell.id, ['AUDITOR'], 'SECRET', []),
    intake: await mkUser(intake.id, ['OFFICER'], 'SECRET', []),
    onePercent: await mkUser(origin[0].id, ['OFFICER'], 'RESTRICTED', []),
    none: await mkUser(norep.id, ['OFFICER'], 'UNCLASSIFIED', []),
  };
  w.users = { intake: people.intake, analyst: people.analyst };
  const entries = await Promise.all(Object.entries(people).map(async ([k, p]) => [k, await api.login(p.username, USER_PASSWORD)] as const));
  w.tokens = Object.fromEntries(entries) as World['tokens'];
  userIds = Object.fromEntries(Object.entries(people).map(([k, p]) => [k, p.id]));
  log('users: 20 submitters, analyst, supervisor, auditor, intake officer, 1 % officer (A01, RESTRICTED), none officer (NOREP, UNCLASSIFIED)');
  return w;
}

let userIds: Record<string, string> = {};
const receivers: Server[] = [];
let hookCount: () => number = () => 0;

// --------------------------------------------------------------------------------------------- intake


async function intakePhase(w: World): Promise<IntakeResults> {
  const { duration, warmup, runs, connections } = settings;
  const body = JSON.stringify(REPORT_BODY);
  const json = { 'content-type': 'application/json' };

  // The API is stopped while the ceilings run alone on the machine.
  await stopApi();

  log(`intake (a): bare Fastify route, ${connections} connections, warm-up ${warmup} s + ${runs} × ${duration} s`);
  const barePort = await freePort();
  const bare = new Child('bare-fastify', ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'bare-fastify.ts')], {
    PATH: process.env.PATH,
    PORT: String(barePort),
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
  });
  let bareSeries: SeriesResult;
  try {
    await waitForHttp(`http://127.0.0.1:${barePort}/health`, bare);
    bareSeries = await measuredSeries(
      (d) => cannon({ url: `http://127.0.0.1:${barePort}/bare`, method: 'POST', headers: json, body, connections, duration: d }),
      warmup,
      runs,
      duration,
    );
  } finally {
    await bare.stop();
  }
  log(`  bare Fastify: ${bareSeries.rps.median.toFixed(0)} req/s`);

  log(`intake (c): raw pg transactions, ${connections} connections (no audit / + audit_pending / + audit_pending and the real chainer)`);
  const rawNoAudit: LoadResult[] = [];
  const rawWithPending: LoadResult[] = [];
  const rawWithChain: LoadResult[] = [];
  let chainer: IntakeResults['chainer'];
  const ds = await typeormDataSource(w.dbUrl, 2);
  const audit = new AuditChainer(ds);
  const adminPool = pool(w.dbUrl, 2);
  try {
    const intakeUser = w.users.intake;
    const txn = (withAudit: boolean) => async (c: Client, i: number) => {
      const now = new Date();
      await c.query('BEGIN');
      const r = await c.query<{ id: string }>(
        `INSERT INTO report (agency_id, created_by, title, narrative, category, occurred_at, location, source_reliability, information_credibility,
                             classification, compartments, tlp, releasable_to, source_description, suspicion_basis, review_due_at, validated_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL, $17) RETURNING id`,
        [
          intakeUser.agencyId,
          intakeUser.id,
          REPORT_BODY.title,
          REPORT_BODY.narrative,
          REPORT_BODY.category,
          new Date(REPORT_BODY.occurredAt as string),
          JSON.stringify(REPORT_BODY.location),
          REPORT_BODY.sourceReliability,
          REPORT_BODY.informationCredibility,
          REPORT_BODY.classification,
          REPORT_BODY.compartments,
          REPORT_BODY.tlp,
          REPORT_BODY.releasableTo,
          REPORT_BODY.sourceDescription,
          REPORT_BODY.suspicionBasis,
          new Date(now.getTime() + 1826 * 86_400_000),
          now,
        ],
      );
      const id = r.rows[0].id;
      await c.query(`INSERT INTO report_entity (report_id, type, value, normalized) VALUES ($1, $2, $3, $4), ($1, $5, $6, $7)`, [
        id,
        'PHONE',
        '+44 7700 900123',
        '+447700900123',
        'VEHICLE',
        'ab12 cde',
        'AB12CDE',
      ]);
      if (withAudit) {
        await c.query(
          `INSERT INTO audit_pending (at, actor_id, agency_id, action, resource_type, resource_id, resource_ids, outcome, reason, request_id, details)
           VALUES ($1, $2, $3, 'report.create', 'Report', $4, '{}', 'ALLOWED', NULL, $5, $6)`,
          [now, intakeUser.id, intakeUser.agencyId, id, `raw-${i}`, JSON.stringify({ classification: 'CONFIDENTIAL', tlp: 'AMBER', entities: 2, idempotencyKey: null })],
        );
      }
      await c.query('COMMIT');
    };
    // The product's chainer, scheduled as the API schedules it: each audited write calls soon()
    // (a chain run once the writes pause, at most a second after it was asked), and auditors flush it.
    const chainStats = { batches: 0, events: 0, ms: 0 };
    const chainBatch = audit.chainBatch.bind(audit);
    audit.chainBatch = async () => {
      const t = performance.now();
      const moved = await chainBatch();
      if (moved) {
        chainStats.batches += 1;
        chainStats.events += moved;
        chainStats.ms += performance.now() - t;
      }
      return moved;
    };
    const audited = txn(true);
    const withChainer = async (d: number): Promise<LoadResult> => {
      try {
        return await rawPgLoad(w.dbUrl, connections, d, async (c: Client, i: number) => {
          await audited(c, i);
          audit.soon();
        });
      } finally {
        await audit.flush();
      }
    };
    // The ceiling's synthetic pending rows are never chained, and audit_pending refuses to delete an
    // unchained row (its guard trigger): the benchmark, a superuser, clears them with triggers off.
    const clearPending = () => adminPool.query('BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM audit_pending; COMMIT');
    // Warm-up each, then interleave the runs so drift (table growth, other load) hits all three alike.
    await rawPgLoad(w.dbUrl, connections, warmup, txn(false));
    await rawPgLoad(w.dbUrl, connections, warmup, txn(true));
    await clearPending();
    await withChainer(warmup);
    chainStats.batches = chainStats.events = chainStats.ms = 0;
    for (let k = 0; k < runs; k++) {
      rawNoAudit.push(await rawPgLoad(w.dbUrl, connections, duration, txn(false)));
      rawWithPending.push(await rawPgLoad(w.dbUrl, connections, duration, txn(true)));
      await clearPending();
      rawWithChain.push(await withChainer(duration));
    }
    chainer = { ...chainStats };
  } finally {
    await ds.destroy();
    await adminPool.end();
  }
  log(
    `  raw pg: no audit ${median(rawNoAudit.map((r) => r.rps)).toFixed(0)} tx/s, + audit_pending ${median(rawWithPending.map((r) => r.rps)).toFixed(0)} tx/s, + chainer ${median(rawWithChain.map((r) => r.rps)).toFixed(0)} tx/s`,
  );

  const api = await startApi(w);
  const base = `http://127.0.0.1:${w.apiPort}`;
  const auth = { authorization: `Bearer ${w.tokens.intake}` };

  log(`intake (b): GET /api/v1/auth/me (the do-nothing route behind the same guards), ${connections} connections`);
  const me = await measuredSeries((d) => cannon({ url: `${base}/api/v1/auth/me`, headers: auth, connections, duration: d }), warmup, runs, duration);
  log(`  /auth/me: ${me.rps.median.toFixed(0)} req/s`);

  log(`intake: POST /api/v1/reports (no Idempotency-Key), ${connections} connections`);
  const rss = new RssSampler(api).start();
  const post = await measuredSeries(
    (d) => cannon({ url: `${base}/api/v1/reports`, method: 'POST', headers: { ...auth, ...json }, body, connections, duration: d }),
    warmup,
    runs,
    duration,
  );
  log(`  POST /reports: ${post.rps.median.toFixed(0)} req/s (non-2xx ${post.non2xx}, errors ${post.errors})`);
  const postIdempotent = await cannon({
    url: `${base}/api/v1/reports`,
    method: 'POST',
    headers: { ...auth, ...json },
    body,
    connections,
    duration,
    perRequestHeaders: () => ({ 'idempotency-key': `bench-${Math.random().toString(36).slice(2)}-${Date.now()}` }),
  });
  log(`  POST /reports with a unique Idempotency-Key: ${postIdempotent.rps.toFixed(0)} req/s`);
  const peakRssMb = rss.stop();
  const rssSamples = rss.samples.length;

  const rate = Math.max(1, Math.round(post.rps.median / 2));
  log(`intake: latency at 50 % of peak (overallRate ${rate} req/s), ${duration * 2} s`);
  const stat = pool(w.dbUrl, 1);
  await sleep(1500); // let the chainer settle and the stats collector flush
  const before = await dbStats(stat);
  const half = await cannon({ url: `${base}/api/v1/reports`, method: 'POST', headers: { ...auth, ...json }, body, connections, duration: duration * 2, overallRate: rate });
  log(`  autocannon (per-connection quotas, bursty): p50 ${half.p50.toFixed(1)} ms, p99 ${half.p99.toFixed(1)} ms at ${half.rps.toFixed(0)} req/s`);
  const paced = await pacedLoad({ url: `${base}/api/v1/reports`, method: 'POST', headers: { ...auth, ...json }, body, rate, duration: duration * 2, maxInFlight: connections });
  log(`  evenly paced: p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms at ${paced.rps.toFixed(0)} req/s (dropped ${paced.dropped})`);
  await sleep(1500);
  const after = await dbStats(stat);
  await stat.end();
  const per = (k: keyof typeof before) => (Number(after[k]) - Number(before[k])) / Math.max(1, half.count + paced.count);
  const perRequest = { commits: per('xact_commit'), rowsInserted: per('tup_inserted'), rowsDeleted: per('tup_deleted'), rowsFetched: per('tup_fetched') };
  log(`  per POST (pg_stat_database): ${perRequest.commits.toFixed(2)} commits, ${perRequest.rowsInserted.toFixed(2)} rows inserted, ${perRequest.rowsDeleted.toFixed(2)} deleted`);

  let soak: IntakeResults['soak'] = null;
  if (settings.soak > 0) {
    log(`memory soak: POST /reports evenly paced at ${rate} req/s (50 % of peak) for ${settings.soak} s, RSS every second`);
    const samples: { t: number; mb: number }[] = [];
    const t0 = performance.now();
    const timer = setInterval(() => {
      const mb = api.rssMb();
      if (mb !== null) samples.push({ t: (performance.now() - t0) / 1000, mb });
    }, 1000);
    const load = await pacedLoad({ url: `${base}/api/v1/reports`, method: 'POST', headers: { ...auth, ...json }, body, rate, duration: settings.soak, maxInFlight: connections });
    clearInterval(timer);
    // Growth: least-squares slope over everything after the first minute (heap sizing settles first).
    const tail = samples.filter((x) => x.t >= Math.min(60, settings.soak / 3));
    const n = tail.length;
    const mt = tail.reduce((a, x) => a + x.t, 0) / n;
    const mm = tail.reduce((a, x) => a + x.mb, 0) / n;
    const slope = tail.reduce((a, x) => a + (x.t - mt) * (x.mb - mm), 0) / Math.max(1e-9, tail.reduce((a, x) => a + (x.t - mt) ** 2, 0));
    soak = {
      seconds: settings.soak,
      rate,
      achieved: load.rps,
      p50: load.p50,
      p99: load.p99,
      non2xx: load.non2xx,
      startMb: samples[0]?.mb ?? NaN,
      endMb: samples[samples.length - 1]?.mb ?? NaN,
      maxMb: Math.max(...samples.map((x) => x.mb)),
      slopeMbPerMin: slope * 60,
      samples: samples.filter((_, k) => k % 10 === 0).map((x) => Math.round(x.mb)),
    };
    log(`  RSS ${soak.startMb.toFixed(0)} → ${soak.endMb.toFixed(0)} MB (max ${soak.maxMb.toFixed(0)}), slope after the first minute ${soak.slopeMbPerMin.toFixed(2)} MB/min; p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms`);
  }

  return { soak, bare: bareSeries, me, post, halfPeak: { ...half, rate }, halfPeakPaced: paced, perRequest, postIdempotent, rawNoAudit, rawWithPending, rawWithChain, chainer, peakRssMb, rssSamples };
}

// -------------------------------------------------------------------------------------- dissemination



/** The product's configuration as the bench's API and worker get it (production, the bench's JWT secret), with `env` on top. */
const productConfig = (env: NodeJS.ProcessEnv) => loadConfig({ ...process.env, NODE_ENV: 'production', JWT_SECRET, AUDIT_SIGNING_KEY, ...env });

/**
 * Bursts of the raw BullMQ ceiling after each measured pair of publications. The ceiling's spread is
 * wide and the machine drifts, so its bursts are interleaved with the product's runs, not taken after.
 */
const RAW_BURSTS_PER_RUN = 2;

/**
 * When BullMQ created the first of these jobs and finished the last (its own timestamps, kept in Redis
 * with the completed jobs): the same clock for the product's deliveries and the ceiling's no-ops.
 */
async function jobSpan(queue: Queue, ids: string[]): Promise<{ addedAt: number; finishedAt: number }> {
  // A delivery's row is DELIVERED (what the poll waits for) moments before BullMQ marks its job
  // finished, once the processor has returned: wait for the marks (their timestamps are BullMQ's own,
  // so waiting does not change the span).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    const added = jobs.map((j) => j?.timestamp).filter((x): x is number => typeof x === 'number');
    const finished = jobs.map((j) => j?.finishedOn).filter((x): x is number => typeof x === 'number');
    if (added.length === ids.length && finished.length === ids.length) return { addedAt: Math.min(...added), finishedAt: Math.max(...finished) };
    if (Date.now() > deadline) {
      throw new Error(`${ids.length - added.length} of ${ids.length} jobs not found and ${added.length - finished.length} not finished in ${queue.name} after 10 s`);
    }
    await sleep(20);
  }
}

async function disseminationPhase(w: World): Promise<DisseminationResults> {
  const db = pool(w.dbUrl, 2);
  const runs: DisseminationRun[] = [];
  // The ceiling: BullMQ alone on the same Redis, a Worker with the same concurrency and a no-op processor.
  const rawPrefix = `${QUEUE_PREFIX}-raw`;
  const rawConfig = productConfig({ REDIS_URL: settings.redisUrl, QUEUE_PREFIX: rawPrefix });
  const rawQueue = new Queue('rawbench', producerQueueOptions(rawConfig));
  let completed = 0;
  const rawWorker = new Worker('rawbench', () => Promise.resolve('ok'), { ...workerQueueOptions(rawConfig), concurrency: settings.workerConcurrency });
  rawWorker.on('completed', () => {
    completed += 1;
  });
  const raw = { jobsPerSec: [] as number[], lastMs: [] as number[], seenMs: [] as number[], cpuMs: [] as CpuByProcess[] };
  const cpuNow = () => cpuSnapshot({ worker: workerChild, api: apiChild });
  let rawSteady: DisseminationResults['rawSteady'];
  let bursts = 0;
  /** A burst of no-op jobs: ms from the first job's creation to the last one's finish (BullMQ's timestamps), and as seen here. */
  const burst = async (jobs: number): Promise<{ ms: number; seenMs: number }> => {
    completed = 0;
    const tag = `b${++bursts}`;
    const ids = Array.from({ length: jobs }, (_, i) => `${tag}-${i}`);
    const t0 = performance.now();
    await rawQueue.addBulk(ids.map((id) => ({ name: 'deliver', data: { disseminationId: id }, opts: deliveryJobOptions(rawConfig, id) })));
    while (completed < jobs) await sleep(2);
    const seenMs = performance.now() - t0;
    const span = await jobSpan(rawQueue, ids);
    return { ms: span.finishedAt - span.addedAt, seenMs };
  };
  const rawBursts = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++) {
      const cpu = cpuNow();
      const { ms, seenMs } = await burst(settings.disseminationAgencies);
      raw.cpuMs.push(cpuSince(cpu, cpuNow()));
      raw.lastMs.push(ms);
      raw.seenMs.push(seenMs);
      raw.jobsPerSec.push(settings.disseminationAgencies / (ms / 1000));
    }
  };
  log(
    `dissemination: worker (node <cache>/dist/worker.js), publish to ${settings.disseminationAgencies} agencies × ${settings.disseminationRuns} runs, webhook and inbox-only; ` +
      `after each run ${RAW_BURSTS_PER_RUN} bursts of the ceiling (raw BullMQ, same Redis, concurrency ${settings.workerConcurrency}, no-op processor)`,
  );
  workerChild = new Child('worker', [...productNodeFlags('worker:prod'), ...profArgs(), join(DIST, 'worker.js')], w.env);
  // The product's queue, read after each run for the jobs' creation time (when the relay added them).
  const productQueue = new Queue(DISSEMINATION_QUEUE, producerQueueOptions(productConfig({ REDIS_URL: settings.redisUrl, QUEUE_PREFIX })));
  try {
    // The worker has no HTTP port: it is ready when its BullMQ worker has registered in Redis.
    await sleep(4000);
    if (!workerChild.alive) throw new Error(`worker exited:\n${workerChild.tail()}`);
    await rawWorker.waitUntilReady();
    const once = async (variant: 'webhook' | 'inbox', k: number): Promise<DisseminationRun> => {
      const codes = variant === 'webhook' ? w.hookCodes : w.inboxCodes;
      const draftId = await w.api.reviewedAssessment(w.tokens.analyst, `Bench assessment ${variant} ${k}`, codes);
      await sleep(1200);
      const before = await dbStats(db);
      const cpu = cpuNow();
      const t0 = Date.now();
      const pub = await w.api.call('POST', `/api/v1/assessments/${draftId}/publish`, { token: w.tokens.supervisor });
      if (pub.status !== 200) throw new Error(`publish → ${pub.status} ${JSON.stringify(pub.body)}`);
      const deadline = Date.now() + 180_000;
      for (;;) {
        const r = await db.query<{ done: string; total: string; first: Date | null; last: Date | null; lastQueued: Date | null }>(
          `SELECT count(*) FILTER (WHERE status IN ('DELIVERED','ACKNOWLEDGED')) AS done, count(*) AS total,
                  min(delivered_at) AS first, max(delivered_at) AS last, max(queued_at) AS "lastQueued"
             FROM dissemination WHERE assessment_id = $1`,
          [draftId],
        );
        // Seen by this poll (every 25 ms; it only tells when all are done): for a webhook agency
        // `delivered_at` is when the inbox item was written, before the POST, so the last delivery is
        // when the last status became DELIVERED — the job's finish, which BullMQ timestamps.
        const seenMs = Date.now() - t0;
        const row = r.rows[0];
        if (Number(row.total) === codes.length && Number(row.done) === codes.length && row.first && row.last) {
          const cpuMs = cpuSince(cpu, cpuNow());
          const ids = (await db.query<{ id: string }>('SELECT id FROM dissemination WHERE assessment_id = $1', [draftId])).rows.map((x) => x.id);
          const span = await jobSpan(productQueue, ids);
          const jobsAddedMs = span.addedAt - t0;
          const lastMs = span.finishedAt - t0;
          await sleep(1200);
          const after = await dbStats(db);
          const per = (k: keyof DbStats) => (Number(after[k]) - Number(before[k])) / codes.length;
          return {
            perDelivery: { commits: per('xact_commit'), rowsInserted: per('tup_inserted'), rowsUpdated: per('tup_updated') },
            variant,
            agencies: codes.length,
            publishMs: round(pub.ms, 1) ?? 0,
            firstDeliveryMs: row.first.getTime() - t0,
            lastQueuedMs: row.lastQueued ? row.lastQueued.getTime() - t0 : NaN,
            lastDeliveryMs: lastMs,
            lastSeenMs: seenMs,
            jobsAddedMs,
            deliveriesPerSec: codes.length / ((lastMs - jobsAddedMs) / 1000),
            endToEndPerSec: codes.length / (lastMs / 1000),
            cpuMs,
          };
        }
        if (Date.now() > deadline) throw new Error(`dissemination not complete after 180 s: ${JSON.stringify(row)}`);
        await sleep(25);
      }
    };
    // Warm-up: one publication of each kind, so the runs measure a worker whose code paths (the webhook
    // POST and its settle statement included) and prepared statements are warm, as the other phases do.
    await once('webhook', 0);
    await once('inbox', 0);
    await burst(settings.disseminationAgencies); // the ceiling's warm-up
    for (let k = 1; k <= settings.disseminationRuns; k++) {
      runs.push(await once('webhook', k));
      runs.push(await once('inbox', k));
      await rawBursts(RAW_BURSTS_PER_RUN);
      const last = raw.lastMs.slice(-RAW_BURSTS_PER_RUN).map((x) => x.toFixed(0));
      log(`  run ${k}: webhook ${runs[runs.length - 2].lastDeliveryMs} ms, inbox-only ${runs[runs.length - 1].lastDeliveryMs} ms to the last delivery; raw BullMQ ${last.join(', ')} ms`);
    }
    const steadyJobs = 5000;
    rawSteady = { jobs: steadyJobs, perSec: steadyJobs / ((await burst(steadyJobs)).ms / 1000) };
  } finally {
    await workerChild.stop();
    workerChild = null;
    await productQueue.close();
    await db.end();
    await rawWorker.close();
    await rawQueue.obliterate({ force: true }).catch(() => undefined);
    await rawQueue.close();
  }

  const med = (v: 'webhook' | 'inbox') => {
    const xs = runs.filter((r) => r.variant === v).map((r) => r.deliveriesPerSec);
    return xs.length ? median(xs) : null;
  };
  log(`  raw BullMQ: ${median(raw.jobsPerSec).toFixed(0)} jobs/s (${settings.disseminationAgencies} jobs), ${rawSteady?.perSec.toFixed(0)} jobs/s (5000 jobs)`);
  return { runs, webhookPerSec: med('webhook'), inboxPerSec: med('inbox'), raw, rawSteady, webhooksReceived: hookCount() };
}

// ------------------------------------------------------------------------------------------- reads

const CALLERS: Caller[] = ['analyst', 'onePercent', 'none'];
const searchLabel = (term: string) => (term === BROAD_SEARCH ? 'broad q' : `q=${term}`);



/**
 * GET /reports/:id/correlations, one connection, sequential: each caller asks about the newest report
 * on its first list page (the "none" caller, who may read none, asks about the analyst's and gets 404).
 * Ceiling, for the same report: the same correlation over raw pg without need-to-know — the report's
 * entity keys, the over-common ones (more than CORRELATION_LIMIT reports) left out as the product does,
 * every other report that holds one, newest first.
 */
async function correlationReads(w: World, db: Pool, lists: Record<Caller, CallerRead>): Promise<CorrelationReads> {
  const base = `http://127.0.0.1:${w.apiPort}`;
  const limit = productConfig({}).CORRELATION_LIMIT;
  const firstId = async (caller: Caller): Promise<string | null> =>
    (await w.api.expect<{ items: { id: string }[] }>(200, 'GET', '/api/v1/reports?limit=1', { token: w.tokens[caller] })).items[0]?.id ?? null;
  const analystReport = await firstId('analyst');
  if (!analystReport) throw new Error('the analyst sees no report to correlate');
  const ceilingSql = `
    WITH own AS (SELECT DISTINCT type, normalized FROM report_entity WHERE report_id = $1),
         keys AS (SELECT o.type, o.normalized FROM own o
                   WHERE (SELECT count(*) FROM (SELECT 1 FROM report_entity e WHERE e.type = o.type AND e.normalized = o.normalized LIMIT $2) b) BETWEEN 2 AND $3)
    SELECT r.id, e.type, e.normalized FROM report r JOIN report_entity e ON e.report_id = r.id
      JOIN keys k ON k.type = e.type AND k.normalized = e.normalized
     WHERE r.id <> $1 ORDER BY r.created_at DESC, r.id DESC`;
  const callers = {} as CorrelationReads['callers'];
  for (const caller of CALLERS) {
    const reportId = lists[caller].visible > 0 ? ((await firstId(caller)) ?? analystReport) : analystReport;
    const params = [reportId, limit + 1, limit];
    const matches = (await db.query(ceilingSql, params)).rowCount ?? 0;
    await sequentialLatency(1, async () => void (await db.query(ceilingSql, params)));
    const ceiling = await sequentialLatency(settings.readDuration, async () => void (await db.query(ceilingSql, params)));
    const path = `/api/v1/reports/${reportId}/correlations`;
    const first = await w.api.call<{ items?: unknown[]; hiddenMatches?: { count: number }[] }>('GET', path, { token: w.tokens[caller] });
    if (first.status !== 200 && first.status !== 404) throw new Error(`GET ${path} as ${caller} → ${first.status}`);
    const run = (duration: number) =>
      cannon({ url: `${base}${path}`, headers: { authorization: `Bearer ${w.tokens[caller]}` }, connections: 1, duration, expectStatus: first.status === 404 ? 404 : undefined });
    await run(1);
    const r = await run(settings.readDuration);
    if (r.errors || r.count === 0) throw new Error(`GET ${path} as ${caller}: ${r.errors} errors, ${r.count} answers ${first.status}`);
    callers[caller] = {
      reportId,
      status: first.status,
      readable: first.body.items?.length ?? 0,
      hidden: (first.body.hiddenMatches ?? []).reduce((n, h) => n + h.count, 0),
      api: { p50: r.p50, p95: r.p95, count: r.count },
      unfiltered: { p50: ceiling.p50, p95: ceiling.p95, count: ceiling.count, matches },
    };
    log(
      `  correlations ${caller}: ${first.status}, ${callers[caller].readable} readable + ${callers[caller].hidden} hidden of ${matches} matching rows; API p95 ${r.p95.toFixed(1)} ms, unfiltered SQL p95 ${ceiling.p95.toFixed(2)} ms`,
    );
  }
  return { callers };
}

async function readsAtScale(w: World, rows: number, seedSeconds: number): Promise<ScaleReads> {
  const db = pool(w.dbUrl, 2);
  const ds = await typeormDataSource(w.dbUrl, 2);
  const base = `http://127.0.0.1:${w.apiPort}`;
  const rss = apiChild ? new RssSampler(apiChild).start() : null;
  try {
    const total = rows;
    const unfilteredLatency = async (q?: string) => {
      const u = unfilteredQuery(50, q);
      const p95Runs: number[] = [];
      let last = { p50: 0, p95: 0, count: 0 };
      await sequentialLatency(1, async () => void (await db.query(u.sql, u.params)));
      for (let k = 0; k < settings.runs; k++) {
        last = await sequentialLatency(settings.readDuration, async () => void (await db.query(u.sql, u.params)));
        p95Runs.push(last.p95);
      }
      return { p50: last.p50, p95: median(p95Runs), count: last.count, p95Runs };
    };

    const measureCaller = async (caller: Caller, q?: string): Promise<CallerRead> => {
      const token = w.tokens[caller];
      const path = `/api/v1/reports?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`;
      const built = await listQuery(ds, userIds[caller], { limit: 50, q });
      // The rebuilt SQL must return what the API returns, or its plan proves nothing.
      const apiPage = await w.api.expect<{ items: { id: string }[] }>(200, 'GET', path, { token });
      const sqlRows = await db.query<{ r_id: string }>(built.sql, built.params);
      const sameIdsAsApi = JSON.stringify(sqlRows.rows.slice(0, 50).map((r) => r.r_id)) === JSON.stringify(apiPage.items.map((i) => i.id));
      const visible = await visibleCount(ds, userIds[caller], q);
      const explain = await db.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${built.sql}`, built.params);
      const plan = explain.rows[0]['QUERY PLAN'][0].Plan;
      const analyze = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${built.sql}`, built.params);
      const analyzeText = analyze.rows.map((r) => r['QUERY PLAN']).join('\n');

      // API latency: one connection, sequential requests; warm-up, then `runs` runs.
      await cannon({ url: `${base}${path}`, headers: { authorization: `Bearer ${token}` }, connections: 1, duration: 1 });
      const apiRuns: LoadResult[] = [];
      for (let k = 0; k < settings.runs; k++) {
        const r = await cannon({ url: `${base}${path}`, headers: { authorization: `Bearer ${token}` }, connections: 1, duration: settings.readDuration });
        if (r.non2xx || r.errors) throw new Error(`GET ${path} as ${caller}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        apiRuns.push(r);
      }
      const sql = await sequentialLatency(settings.readDuration, async () => void (await db.query(built.sql, built.params)));
      const p95Runs = apiRuns.map((r) => r.p95);
      const res: CallerRead = {
        visible,
        visiblePct: (100 * visible) / total,
        api: { p50: median(apiRuns.map((r) => r.p50)), p95: median(p95Runs), p99: median(apiRuns.map((r) => r.p99)), count: apiRuns.reduce((s, r) => s + r.count, 0), p95Runs },
        sql: { p50: sql.p50, p95: sql.p95, count: sql.count },
        sameIdsAsApi,
        seqScanNodes: seqScansOnReport(plan),
        seqScans: fullScansOfReport(plan, total),
        plan: planSummary(plan),
        analyze: analyzeText,
        executionMs: explain.rows[0]['QUERY PLAN'][0]['Execution Time'],
      };
      log(
        `  ${q ? `${searchLabel(q)} ` : ''}${caller}: sees ${visible} (${res.visiblePct.toFixed(2)} %), API p95 ${res.api.p95.toFixed(1)} ms, SQL p95 ${res.sql.p95.toFixed(2)} ms, full-table scans ${res.seqScans} (Seq Scan nodes ${res.seqScanNodes}), same ids ${sameIdsAsApi}`,
      );
      return res;
    };

    log(`reads @ ${rows.toLocaleString('en')} reports: unfiltered ceiling, then 3 callers (API p95, SQL p95, EXPLAIN)`);
    const unfiltered = await unfilteredLatency();
    log(`  unfiltered ORDER BY created_at DESC, id DESC LIMIT 50 (raw pg): p95 ${unfiltered.p95.toFixed(2)} ms`);
    const callers = {} as Record<Caller, CallerRead>;
    for (const c of CALLERS) callers[c] = await measureCaller(c);

    const search = async (term: string): Promise<SearchReads> => {
      const uq = await unfilteredLatency(term);
      log(`  unfiltered ${searchLabel(term)} (raw pg): p95 ${uq.p95.toFixed(2)} ms`);
      const qc = {} as Record<Caller, CallerRead>;
      for (const c of CALLERS) qc[c] = await measureCaller(c, term);
      return { term, unfiltered: uq, callers: qc };
    };
    const q = process.env.BENCH_SKIP_Q !== '1' ? await search(SEARCH_WORD) : null;
    const qBroad = process.env.BENCH_SKIP_Q !== '1' ? await search(BROAD_SEARCH) : null;
    const correlations = await correlationReads(w, db, callers);
    const apiPeakRssMb = rss?.stop() ?? 0;

    return { rows, seedSeconds, unfiltered, callers, q, qBroad, correlations, apiPeakRssMb };
  } finally {
    rss?.stop();
    await ds.destroy();
    await db.end();
  }
}

// -------------------------------------------------------------------------------------------- audit


async function auditPhase(w: World): Promise<AuditResults> {
  log(`audit: stop the API (no chainer may run), append ${settings.auditEvents.toLocaleString('en')} chained events`);
  await stopApi();
  const db = pool(w.dbUrl, 2);
  let appended: Awaited<ReturnType<typeof appendSyntheticAuditEvents>>;
  const t = performance.now();
  try {
    const actors = Object.values(w.users).map((u) => ({ id: u.id, agencyId: u.agencyId }));
    appended = await appendSyntheticAuditEvents(db, settings.auditEvents, actors, log);
  } finally {
    await db.end();
  }
  const seedSeconds = (performance.now() - t) / 1000;
  log(`  appended in ${seedSeconds.toFixed(0)} s; chain head seq ${appended.headSeq}`);
  const api = await startApi(w);
  const rss = new RssSampler(api).start();
  const verifyRuns = settings.quick ? 3 : 2;
  const seconds: number[] = [];
  let checked = 0;
  let valid = true;
  try {
    for (let k = 0; k < verifyRuns; k++) {
      const r = await w.api.call<{ valid: boolean; checked: number }>('GET', '/api/v1/audit-events/verify', { token: w.tokens.auditor, timeoutMs: 1_800_000 });
      if (r.status !== 200) throw new Error(`verify → ${r.status} ${JSON.stringify(r.body)}`);
      seconds.push(r.ms / 1000);
      checked = r.body.checked;
      valid = valid && r.body.valid;
      log(`  verify run ${k + 1}: ${checked} events in ${(r.ms / 1000).toFixed(1)} s, valid=${r.body.valid}`);
    }
  } finally {
    rss.stop();
  }
  const rawSeconds: number[] = [];
  rawSha256(appended.bytes, appended.offsets); // warm-up
  for (let k = 0; k < 3; k++) rawSeconds.push(rawSha256(appended.bytes, appended.offsets).seconds);
  const events = appended.offsets.length - 1;
  const verifyEventsPerSec = checked / median(seconds);
  const rawEventsPerSec = events / median(rawSeconds);
  log(`  raw SHA-256 over the same bytes: ${events} events in ${median(rawSeconds).toFixed(2)} s`);
  return {
    syntheticEvents: events,
    seedSeconds,
    verify: { seconds, checked, valid },
    rawSha: { seconds: rawSeconds, events },
    verifyEventsPerSec,
    rawEventsPerSec,
    apiPeakRssMb: rss.peak,
  };
}

// --------------------------------------------------------------------------------------------- main

async function cleanup(): Promise<void> {
  await workerChild?.stop(5000).catch(() => undefined);
  await apiChild?.stop(10_000).catch(() => undefined);
  killAllChildren();
  for (const s of receivers) s.close();
  if (process.env.KEEP_BENCH_DB !== '1') await dropDatabase(DB_NAME).catch((e: unknown) => log(`could not drop ${DB_NAME}: ${String(e)}`));
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${QUEUE_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.del(...keys);
    } while (cursor !== '0');
    log(`cleanup: database ${DB_NAME} ${process.env.KEEP_BENCH_DB === '1' ? 'kept (KEEP_BENCH_DB=1)' : 'dropped'}, ${removed} Redis keys of ${QUEUE_PREFIX} deleted`);
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  log(`npm run bench — ${settings.quick ? 'QUICK (BENCH_QUICK=1)' : 'full'} mode; runs ${settings.runs} × ${settings.duration} s, warm-up ${settings.warmup} s, ${settings.connections} connections`);
  const startedLoad = loadavg();
  const machine = await machineFacts();
  build();
  const w = await setup();
  const pg = await serverFacts(w.dbUrl);
  if (pg.fsync !== 'on' || pg.synchronous_commit !== 'on') log(`WARNING: fsync=${pg.fsync}, synchronous_commit=${pg.synchronous_commit} (the issue asks for both on)`);
  const results: BenchResults = { machine: { ...machine, postgres: pg.version, pgSettings: pg }, settings, startedLoad };

  const phases = new Set((process.env.BENCH_PHASES ?? 'intake,dissemination,reads,fanout,audit').split(',').map((x) => x.trim()));
  if (phases.has('intake')) results.intake = await intakePhase(w);
  noteRss('after intake');
  if (phases.has('dissemination')) results.dissemination = await disseminationPhase(w);
  noteRss('after dissemination');

  const reads: ScaleReads[] = [];
  if (phases.has('reads')) {
    const admin = pool(w.dbUrl, 2);
    try {
      log('reads: TRUNCATE report, report_entity, report_share (intake rows), then seed');
      await admin.query('TRUNCATE report, report_entity, report_share');
      const maxRows = Math.max(...settings.scales);
      await prepareSeed(admin, w.seedAgencies, new Date(Date.now() - (maxRows + 100) * 1000));
      let have = 0;
      for (const rows of settings.scales) {
        log(`seed: reports ${have + 1}–${rows} with generate_series`);
        const secs = await seed(admin, have + 1, rows, log);
        have = rows;
        noteRss(`after seeding ${rows.toLocaleString('en')}`);
        reads.push(await readsAtScale(w, rows, secs));
        noteRss(`after reads at ${rows.toLocaleString('en')}`);
      }
    } finally {
      await admin.end();
    }
  }
  if (reads.length) results.reads = reads;
  if (phases.has('fanout')) {
    // Bounded fan-out (issue 18): 1,000 reports sharing 200 names, on the table the reads left — or,
    // run alone (BENCH_PHASES=fanout), on 100k seeded reports, so its plans are those of a big table.
    if (!phases.has('reads')) {
      const admin = pool(w.dbUrl, 2);
      try {
        await prepareSeed(admin, w.seedAgencies, new Date(Date.now() - 100_100 * 1000));
        log('fan-out alone: seed reports 1–100,000 with generate_series (the reads phase\'s table)');
        await seed(admin, 1, 100_000, log);
      } finally {
        await admin.end();
      }
    }
    const db = pool(w.dbUrl, 2);
    const ds = await typeormDataSource(w.dbUrl, 2);
    try {
      results.fanout = await fanoutPhase({
        api: w.api,
        apiPort: w.apiPort,
        db,
        ds,
        apiChild,
        tokens: w.tokens,
        userIds: { analyst: userIds.analyst, intake: userIds.intake },
        readDuration: settings.readDuration,
        log,
      });
    } finally {
      await ds.destroy();
      await db.end();
    }
  }
  if (phases.has('audit')) results.audit = await auditPhase(w);
  results.rssTimeline = rssTimeline;
  results.finishedLoad = loadavg();
  results.elapsedSeconds = (performance.now() - T_START) / 1000;
  const partial = process.env.BENCH_PHASES !== undefined;
  writeResults(results, partial);
  // The fan-out case is recorded in bench/RESULTS.md and results.json even from a partial run (as bench:faults is).
  if (results.fanout) writeFanoutResults(results.fanout, results.date ?? new Date().toISOString());
  log(`wrote ${partial ? 'bench/.data/partial-RESULTS.md and partial-results.json (BENCH_PHASES given)' : 'bench/RESULTS.md and bench/results.json'} (${results.elapsedSeconds.toFixed(0)} s in all)`);
}

let cleaning: Promise<void> | null = null;
const cleanOnce = () => (cleaning ??= cleanup());
process.on('SIGINT', () => {
  log('interrupted: cleaning up');
  void cleanOnce().finally(() => process.exit(130));
});

main()
  .then(() => cleanOnce())
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanOnce().catch(() => undefined);
    process.exit(1);
  });


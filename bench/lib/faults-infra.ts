/**
 * What the fault tests (bench/faults.ts) run on: a compiled API and worker, a fresh migrated database,
 * a private redis-server and, for the PostgreSQL fault, a private PostgreSQL cluster the run owns
 * (initdb into a temp dir, pg_ctl as the `postgres` OS user). Everything started is registered in a
 * Scope and removed again in reverse order, whatever happens.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Client, type Pool } from 'pg';
import { DISSEMINATION_QUEUE } from '../../src/common/queues';
import type { WebhookReceiver } from '../../test/support/webhook-receiver';
import type { RedisServer } from '../../test/support/child-processes';
import { ADMIN_PASSWORD, AUDIT_SIGNING_KEY, JWT_SECRET, ROOT, RUN_ID, USER_PASSWORD } from './config';
import { pool, typeormDataSource } from './db';
import { Api } from './http';
import { Child, freePort, productNodeFlags, waitForHttp } from './proc';
import { inBatches, sleep } from './stats';

const run = promisify(execFile);

/** The compiled API and worker of the fault tests: a folder of their own, so a concurrent `npm run bench` keeps its build. */
export const FAULTS_DIST = process.env.BENCH_DIST ?? join(ROOT, 'node_modules', '.cache', 'fusion-bench', 'faults-dist');

/** Webhook secret of every recipient agency, so the checker can verify each signature. */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('bench-faults-webhook-secret-0001').toString('base64')}`;

export const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Rejects after `ms` (the timer is cleared either way). */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no end after ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns a truthy value; throws after `timeoutMs` or when `signal` aborts. */
export async function waitUntil<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs: number, signal?: AbortSignal, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}



/** Clean-up steps of one fault, run last-in first-out, each bounded; problems are collected, not thrown. */
export class Scope {
  private readonly steps: { what: string; fn: () => unknown }[] = [];
  readonly problems: string[] = [];

  defer(what: string, fn: () => unknown): void {
    this.steps.push({ what, fn });
  }

  async close(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      const { what, fn } = step;
      try {
        await withTimeout(Promise.resolve().then(fn), 30_000, what);
      } catch (e) {
        this.problems.push(`${what}: ${errText(e)}`);
      }
    }
  }
}

/** tsc -p tsconfig.build.json (what `nest build` does) into FAULTS_DIST; BENCH_SKIP_BUILD=1 or BENCH_DIST reuses a build. */
export function build(log: (s: string) => void): void {
  if ((process.env.BENCH_SKIP_BUILD === '1' || process.env.BENCH_DIST) && existsSync(join(FAULTS_DIST, 'main.js'))) {
    log(`build: reusing ${FAULTS_DIST}`);
    return;
  }
  log('build: tsc -p tsconfig.build.json → node_modules/.cache/fusion-bench/faults-dist');
  rmSync(FAULTS_DIST, { recursive: true, force: true });
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', FAULTS_DIST], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(join(FAULTS_DIST, 'main.js')) || !existsSync(join(FAULTS_DIST, 'worker.js'))) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  if (r.status !== 0) log(`build: tsc reported type errors (output emitted anyway):\n${r.stdout.slice(0, 2000)}`);
}

// ------------------------------------------------------------------------------- private PostgreSQL

/** Clusters still running at exit are stopped synchronously (a crash of this script must not leave a postmaster behind). */
const liveClusters = new Set<PrivatePostgres>();
process.once('exit', () => {
  for (const c of liveClusters) c.destroySync();
});

/**
 * A throw-away PostgreSQL cluster owned by this run: initdb into a temp dir, listening on 127.0.0.1
 * and a free port (socket in the same dir), fsync and synchronous_commit at their defaults (on).
 * Run as the `postgres` OS user when this script is root.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** postgres://… without a database name. */
  get server(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivatePostgres> {
    const base = '/usr/lib/postgresql';
    const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))) : [];
    if (!versions.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    const bin = join(base, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
    const dir = mkdtempSync(join(tmpdir(), 'fusion-faults-pg-'));
    const pg = new PrivatePostgres(dir, await freePort(), bin);
    liveClusters.add(pg);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    await pg.exec('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    return pg;
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const path = join(this.bin, tool);
    return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }

  private async exec(tool: string, args: string[], timeoutMs = 60_000): Promise<string> {
    const [cmd, argv] = this.command(tool, args);
    try {
      const { stdout } = await run(cmd, argv, { timeout: timeoutMs, encoding: 'utf8' });
      return stdout;
    } catch (e) {
      const x = e as { stderr?: string; stdout?: string };
      throw new Error(`${tool} ${args.join(' ')}: ${errText(e)}\n${x.stderr ?? ''}${x.stdout ?? ''}`, { cause: e });
    }
  }

  async start(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`, 'start']);
  }

  /** `pg_ctl stop -m immediate`: every backend killed at once, no checkpoint (crash recovery at the next start). */
  async stopImmediate(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
  }

  get running(): boolean {
    return existsSync(join(this.dataDir, 'postmaster.pid'));
  }

  async destroy(): Promise<void> {
    if (this.running) await this.stopImmediate().catch(() => this.killPostmaster());
    rmSync(this.dir, { recursive: true, force: true });
    liveClusters.delete(this);
  }

  /** For process exit: synchronous stop and removal. */
  destroySync(): void {
    if (this.running) {
      try {
        const [cmd, argv] = this.command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop']);
        execFileSync(cmd, argv, { stdio: 'ignore', timeout: 25_000 });
      } catch {
        this.killPostmaster();
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    liveClusters.delete(this);
  }

  private killPostmaster(): void {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      /* gone already */
    }
  }

  /** The server log (for failure messages). */
  logTail(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8').slice(-3000);
    } catch {
      return '';
    }
  }
}

// --------------------------------------------------------------------------------------- databases

export async function createMigratedDatabaseOn(server: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = `${server}/${name}`;
  const ds = await typeormDataSource(url, 2);
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  return url;
}

export async function dropDatabaseOn(server: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

// ------------------------------------------------------------------------------------------- world

export interface Recipient {
  id: string;
  code: string;
  hook: boolean;
}

export interface World {
  tag: string;
  dbUrl: string;
  env: NodeJS.ProcessEnv;
  base: string;
  api: Api;
  apiChild: Child;
  worker: Child | null;
  /** A small pool for the checker. */
  db: Pool;
  tokens: { admin: string; officer: string; analyst: string; supervisor: string; auditor: string };
  officerId: string;
  recipients: Recipient[];
  queuePrefix: string;
  redis: RedisServer;
}

export interface WorldOptions {
  tag: string;
  scope: Scope;
  /** postgres://host:port of the server to make the database on. */
  pgServer: string;
  /** Drop the database at clean-up (false when the whole cluster goes away anyway). */
  dropDatabase: boolean;
  redis: RedisServer;
  receiver: WebhookReceiver;
  /** Recipient agencies R01…; the odd ones (R01, R03, …) get a webhook to the receiver. */
  recipients: number;
  worker: boolean;
  log: (s: string) => void;
}

let workerStarts = 0;

/** Starts `node <dist>/worker.js` and waits until its BullMQ worker has registered in Redis. */
export async function startWorker(w: Pick<World, 'env' | 'tag' | 'redis' | 'queuePrefix'>, scope: Scope): Promise<Child> {
  const child = new Child(`faults-${w.tag}-worker-${++workerStarts}`, [...productNodeFlags('worker:prod'), join(FAULTS_DIST, 'worker.js')], w.env);
  scope.defer(`worker ${child.pid}`, () => child.stop(10_000));
  const probe = new Queue(DISSEMINATION_QUEUE, { prefix: w.queuePrefix, connection: { url: w.redis.url, maxRetriesPerRequest: 1, enableOfflineQueue: false } });
  probe.on('error', () => undefined);
  try {
    await waitUntil(
      async () => {
        if (!child.alive) throw new Error(`worker exited at start:\n${child.tail()}`);
        return (await probe.getWorkersCount().catch(() => 0)) >= 1;
      },
      'the worker to register in Redis',
      60_000,
    );
  } finally {
    await probe.close().catch(() => undefined);
  }
  return child;
}

/** Database, API, agencies, users and webhooks for one fault; registers their clean-up in `scope`. */
export async function setupWorld(o: WorldOptions): Promise<World> {
  const dbName = `fusion_faults_${RUN_ID}_${o.tag.replace(/[^a-z0-9]/gi, '')}`;
  const dbUrl = await createMigratedDatabaseOn(o.pgServer, dbName);
  if (o.dropDatabase) o.scope.defer(`drop database ${dbName}`, () => dropDatabaseOn(o.pgServer, dbName));
  const queuePrefix = `fusionfaults-${RUN_ID}-${o.tag}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl,
    REDIS_URL: o.redis.url,
    JWT_SECRET,
    AUDIT_SIGNING_KEY,
    JWT_TTL_SECONDS: '86400',
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    QUEUE_PREFIX: queuePrefix,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    DISSEMINATION_BACKOFF_MS: '1000',
  };
  const apiPort = await freePort();
  const apiChild = new Child(`faults-${o.tag}-api`, [...productNodeFlags('start:prod'), join(FAULTS_DIST, 'main.js')], { ...env, PORT: String(apiPort) });
  o.scope.defer(`API ${apiChild.pid}`, async () => {
    if (apiChild.alive) process.kill(apiChild.pid, 'SIGCONT'); // in case the test left it stopped
    await apiChild.stop(10_000);
  });
  await waitForHttp(`http://127.0.0.1:${apiPort}/health`, apiChild);
  const base = `http://127.0.0.1:${apiPort}`;
  const api = new Api(base);
  const db = pool(dbUrl, 2);
  o.scope.defer('checker pool', () => db.end());

  const admin = await api.login('admin', ADMIN_PASSWORD);
  const agencies = await api.expect<{ id: string; code: string; kind: string }[]>(200, 'GET', '/api/v1/agencies', { token: admin });
  const cell = agencies.find((a) => a.kind === 'FUSION_CELL');
  if (!cell) throw new Error('no fusion cell');
  const mkAgency = (code: string, kind: string, accreditation: string) =>
    api.expect<{ id: string; code: string }>(201, 'POST', '/api/v1/agencies', { token: admin, body: { code, name: `Faults ${code}`, kind, accreditation } });
  const origin = await mkAgency('ORIGIN', 'POLICE', 'SECRET');
  const made = await inBatches(
    Array.from({ length: o.recipients }, (_, i) => `R${String(i + 1).padStart(2, '0')}`),
    4,
    (code) => mkAgency(code, 'OTHER', 'SECRET'),
  );
  const recipients = made.map((a, i) => ({ id: a.id, code: a.code, hook: i % 2 === 0 }));
  await inBatches(
    recipients.filter((r) => r.hook),
    4,
    (r) =>
      api.expect(200, 'PUT', `/api/v1/agencies/${r.id}/webhook`, {
        token: admin,
        body: { url: o.receiver.url(`/hook/${r.code}`), secret: WEBHOOK_SECRET },
      }),
  );
  const mkUser = async (username: string, agencyId: string, roles: string[], clearance: string) => {
    const body = await api.expect<{ id: string }>(201, 'POST', '/api/v1/users', {
      token: admin,
      body: { username, password: USER_PASSWORD, agencyId, roles, clearance, compartments: [] },
    });
    return { id: body.id, token: await api.login(username, USER_PASSWORD) };
  };
  const [officer, analyst, supervisor, auditor] = await Promise.all([
    mkUser('officer', origin.id, ['OFFICER'], 'SECRET'),
    mkUser('analyst', cell.id, ['ANALYST'], 'TOP_SECRET'),
    mkUser('supervisor', cell.id, ['SUPERVISOR'], 'TOP_SECRET'),
    mkUser('auditor', cell.id, ['AUDITOR'], 'SECRET'),
  ]);
  // A cleared person in each recipient agency: without one it is sent no FULL copy (SPEC S1).
  await inBatches(recipients, 4, (r) => mkUser(`reader.${r.code.toLowerCase()}`, r.id, ['OFFICER'], 'SECRET'));
  const w: World = {
    tag: o.tag,
    dbUrl,
    env,
    base,
    api,
    apiChild,
    worker: null,
    db,
    tokens: { admin, officer: officer.token, analyst: analyst.token, supervisor: supervisor.token, auditor: auditor.token },
    officerId: officer.id,
    recipients,
    queuePrefix,
    redis: o.redis,
  };
  if (o.worker) w.worker = await startWorker(w, o.scope);
  o.log(
    `  ${o.tag}: database ${dbName}, API :${apiPort} (pid ${apiChild.pid})${w.worker ? `, worker pid ${w.worker.pid}` : ''}, Redis :${o.redis.port}, ${recipients.length} recipient agencies (${recipients.filter((r) => r.hook).length} with a webhook)`,
  );
  return w;
}

/** A draft assessment to every recipient, submitted for review (ready for a SUPERVISOR to publish). */
export function reviewedAssessment(w: World, n: number): Promise<string> {
  return w.api.reviewedAssessment(w.tokens.analyst, `Fault test assessment ${n}`, w.recipients.map((r) => r.code));
}

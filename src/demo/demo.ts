// Over 300 lines: the demo is one story (18 steps) told top to bottom, with the few process helpers it needs; split, it would be harder to follow.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { type AppConfig, ConfigError, launchEnvironment } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source';
import { type DemoCredentials, SeedModule, seedDemo } from '../database/seeds/demo.seed';

/*
 * `npm run demo`: the whole mechanism, driven through the public REST API as its users would.
 * Migrates, starts the API and the worker as separate processes, seeds demo data, plays the story,
 * then leaves the API running until Ctrl-C (or exits, with DEMO_EXIT=1, for tests and CI).
 */

const tty = process.stdout.isTTY;
const c = (code: number, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s: string) => c(1, s);
const green = (s: string) => c(32, s);
const red = (s: string) => c(31, s);
const dim = (s: string) => c(2, s);

class DemoFailure extends Error {}

let step = 0;
const TOTAL = 18;
/** No printed line is wider than this (a terminal of 120 columns shows the demo without wrapping). */
const WIDTH = 120;

/** Greedy word wrap: the first row holds `first` columns, the next ones `rest`. */
function wrap(text: string, first: number, rest: number): string[] {
  const rows = [''];
  for (const word of text.split(' ')) {
    const row = rows[rows.length - 1];
    if (row && row.length + 1 + word.length > (rows.length === 1 ? first : rest)) rows.push(word);
    else rows[rows.length - 1] = row ? `${row} ${word}` : word;
  }
  return rows;
}

/**
 * One step: `[ n/T] who  what  outcome`, outcomes in a column of their own (wrapped there when
 * long, in the outcome's colour), then the call it made, dimmed, on a line of its own: no line is
 * wider than WIDTH.
 */
function line(who: string, what: string, call: string, outcome: string): void {
  step += 1;
  const head = `${dim(`[${String(step).padStart(2)}/${TOTAL}]`)} ${bold(who.padEnd(16))} `;
  const indent = ' '.repeat(stripVTControlCharacters(head).length);
  const text = `${what.padEnd(53)} `;
  const column = indent.length + 54;
  const colour = outcome.startsWith('\x1b[') ? (s: string) => `${outcome.slice(0, outcome.indexOf('m') + 1)}${s}\x1b[0m` : (s: string) => s;
  const rows = wrap(stripVTControlCharacters(outcome), WIDTH - indent.length - text.length, WIDTH - column).map(colour);
  const shown = call.length > WIDTH - indent.length ? `${call.slice(0, WIDTH - indent.length - 1)}…` : call;
  process.stdout.write(`${head}${text}${rows.join(`\n${' '.repeat(column)}`)}\n${indent}${dim(shown)}\n`);
}

async function preflight(config: AppConfig): Promise<void> {
  const dbUrl = new URL(config.DATABASE_URL);
  const dbName = decodeURIComponent(dbUrl.pathname.slice(1)) || 'postgres';
  const serverUrl = new URL(config.DATABASE_URL);
  serverUrl.pathname = '/postgres';
  const pg = new Client({ connectionString: serverUrl.toString(), connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
  } catch (err) {
    throw new DemoFailure(`PostgreSQL is not reachable at ${dbUrl.host} (DATABASE_URL): ${(err as Error).message}`);
  }
  try {
    const found = await pg.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount === 0) {
      await pg.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
      process.stdout.write(`${green('✓')} created database ${dbName}\n`);
    }
  } finally {
    await pg.end();
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new DemoFailure(`Redis is not reachable at ${new URL(config.REDIS_URL).host} (REDIS_URL): ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
  process.stdout.write(`${green('✓')} PostgreSQL ${dbUrl.host}/${dbName} and Redis ${new URL(config.REDIS_URL).host} are reachable\n`);
}

/** Migrates; answers whether the database has no user yet (then the API this run starts bootstraps `admin`). */
async function migrate(config: AppConfig): Promise<boolean> {
  const ds = new DataSource({ ...dataSourceOptions(config), logging: false, logger: undefined });
  await ds.initialize();
  const done = await ds.runMigrations({ transaction: 'each' });
  const [{ n }] = await ds.query<{ n: number }[]>('SELECT count(*)::int AS n FROM app_user');
  await ds.destroy();
  process.stdout.write(`${green('✓')} migrations: ${done.length ? `${done.length} applied` : 'up to date'}\n`);
  return n === 0;
}

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv, logDir: string): ChildProcess {
  const fromSource = __filename.endsWith('.ts');
  const root = resolve(__dirname, '..', '..');
  const args = fromSource ? ['-r', 'ts-node/register/transpile-only', join(root, 'src', `${entry}.ts`)] : [join(root, 'dist', `${entry}.js`)];
  const child = spawn(process.execPath, args, { env: { ...env, TS_NODE_TRANSPILE_ONLY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  const log = createWriteStream(join(logDir, `${name}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

interface ApiOpts {
  token?: string;
  body?: unknown;
}

function api(base: string) {
  return async <T = unknown>(method: string, path: string, opts: ApiOpts = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

function expectStatus(res: { status: number; body: unknown }, want: number, what: string): void {
  if (res.status !== want) throw new DemoFailure(`${what}: expected HTTP ${want}, got ${res.status} ${JSON.stringify(res.body)}`);
}

async function waitUntil<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const start = Date.now();
  let i = 0;
  for (;;) {
    const v = await check();
    if (v) {
      if (tty) process.stdout.write('\r\x1b[K');
      return v;
    }
    if (Date.now() - start > timeoutMs) throw new DemoFailure(`timed out waiting for ${what}`);
    if (tty) process.stdout.write(`\r${spinner[i++ % spinner.length]} waiting for ${what} (${Math.round((Date.now() - start) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A stand-in for an agency's system: receives webhooks and verifies them with the standardwebhooks library. */
async function startReceiver(secret: string): Promise<{ url: string; verified: string[]; close: () => void }> {
  const verified: string[] = [];
  const wh = new Webhook(secret);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      try {
        wh.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
        verified.push(String(req.headers['webhook-id']));
        res.statusCode = 204;
      } catch {
        res.statusCode = 400;
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fusion-webhook`, verified, close: () => server.close() };
}

async function story(base: string, creds: DemoCredentials, adminPassword: string, receiver: Awaited<ReturnType<typeof startReceiver>>, secret: string): Promise<void> {
  const call = api(base);
  const login = async (username: string, password = creds[username]) => {
    const r = await call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: { username, password } });
    expectStatus(r, 200, `login ${username}`);
    return r.body.accessToken;
  };
  const [police, customs, border, analyst, supervisor, auditor, admin] = await Promise.all([
    login('police.officer'),
    login('customs.officer'),
    login('border.officer'),
    login('analyst'),
    login('supervisor'),
    login('auditor'),
    login('admin', adminPassword).catch(() => login('demo.admin')),
  ]);
  const agencies = (await call<{ id: string; code: string }[]>('GET', '/api/v1/agencies', { token: admin })).body;
  const customsAgency = agencies.find((a) => a.code === 'CUSTOMS');
  if (!customsAgency) throw new DemoFailure('demo agency CUSTOMS missing');

  // Four eyes (SPEC S1): a sensitive change one ADMIN asks for waits (202) until a second ADMIN approves it.
  const checker = await login('demo.checker');
  const approved = async (res: { status: number; body: unknown }, what: string) => {
    if (res.status !== 202) return res;
    const ok = await call<{ status: string }>('POST', `/api/v1/admin/changes/${(res.body as { changeId: string }).changeId}/approve`, { token: checker });
    expectStatus(ok, 200, `approve: ${what}`);
    return ok;
  };
  const hook = await approved(await call('PUT', `/api/v1/agencies/${customsAgency.id}/webhook`, { token: admin, body: { url: receiver.url, secret } }), 'the webhook');
  expectStatus(hook, 200, 'set the customs webhook');
  line('admin', 'registers the customs service’s webhook endpoint', `PUT /agencies/${customsAgency.id.slice(0, 8)}…/webhook`, green(`${hook.status} signed with a whsec_ secret`));

  const fusionCell = agencies.find((a) => a.code === 'FUSION');
  if (!fusionCell) throw new DemoFailure('demo agency FUSION missing');
  const newcomer = { username: `analyst.${Date.now().toString(36)}`, password: `demo-${randomBytes(9).toString('base64url')}` };
  const asked = await call<{ changeId: string; status: string }>('POST', '/api/v1/users', {
    token: admin,
    body: { ...newcomer, agencyId: fusionCell.id, roles: ['ANALYST'], clearance: 'SECRET', compartments: [] },
  });
  expectStatus(asked, 202, 'ask for an analyst account');
  const decided = await call<{ status: string }>('POST', `/api/v1/admin/changes/${asked.body.changeId}/approve`, { token: checker });
  expectStatus(decided, 200, 'approve the analyst account');
  await login(newcomer.username, newcomer.password);
  line('admin+demo.checker', 'one ADMIN asks for an analyst, the other approves', 'POST /users → /admin/changes/…/approve', green('202 → 200 APPLIED; logs in'));

  const phone = `+44 7700 9${String(Date.now()).slice(-5)}`;
  const reportA = await call<{ id: string }>('POST', '/api/v1/reports', {
    token: police,
    body: {
      title: 'Man bought 40 litres of hydrogen peroxide for cash',
      narrative: 'A garden-centre manager reported a buyer who paid cash for 40 litres of hydrogen peroxide and gave a false name. He used a mobile phone to arrange collection.',
      category: 'TERRORISM',
      occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
      location: { placeName: 'Riverside Garden Centre', region: 'CAPITAL', lat: 51.5, lon: -0.12 },
      sourceReliability: 'B',
      informationCredibility: 2,
      classification: 'SECRET',
      compartments: [],
      tlp: 'AMBER',
      releasableTo: [],
      sourceDescription: 'Store manager, registered police contact',
      suspicionBasis: 'Quantity far above domestic use, cash payment and a false name: possible explosive precursor acquisition.',
      entities: [{ type: 'PHONE', value: phone }, { type: 'VEHICLE', value: 'ab12 cde' }],
    },
  });
  expectStatus(reportA, 201, 'police report');
  line('police.officer', 'submits a report on a precursor purchase', 'POST /api/v1/reports', green(`201 report ${reportA.body.id.slice(0, 8)}… (SECRET, AMBER)`));

  const reportB = await call<{ id: string }>('POST', '/api/v1/reports', {
    token: customs,
    body: {
      title: 'Parcel of timers and wiring from an overseas seller',
      narrative: 'An intercepted parcel held electronic timers and wiring; the consignee phone number matches a prepaid SIM.',
      category: 'TERRORISM',
      occurredAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      sourceReliability: 'A',
      informationCredibility: 2,
      classification: 'SECRET',
      compartments: [],
      tlp: 'AMBER',
      releasableTo: [],
      suspicionBasis: 'Components consistent with an improvised device, sent to a number linked to a cash purchase of precursors.',
      entities: [{ type: 'PHONE', value: phone.replace(/ /g, '') }],
    },
  });
  expectStatus(reportB, 201, 'customs report');
  line('customs.officer', 'reports a parcel; same phone, written differently', 'POST /api/v1/reports', green(`201 report ${reportB.body.id.slice(0, 8)}…`));

  const search = await call<{ items: string[]; hiddenMatches: { agencyCode: string; count: number }[] }>('GET', `/api/v1/entities/search?type=PHONE&value=${encodeURIComponent(phone)}`, { token: border });
  expectStatus(search, 200, 'border search');
  if (search.body.items.length !== 0 || search.body.hiddenMatches.length < 2) throw new DemoFailure(`border search should be hit/no-hit only: ${JSON.stringify(search.body)}`);
  line('border.officer', 'searches the phone: a pointer, not content', 'GET /api/v1/entities/search', green(`200 no readable hits; held by ${search.body.hiddenMatches.map((h) => `${h.agencyCode}×${h.count}`).join(', ')}`));

  const corr = await call<{ items: { reportId: string }[] }>('GET', `/api/v1/reports/${reportA.body.id}/correlations`, { token: analyst });
  expectStatus(corr, 200, 'analyst correlations');
  if (!corr.body.items.some((i) => i.reportId === reportB.body.id)) throw new DemoFailure('the analyst should see the correlation');
  line('analyst', 'sees the police and customs reports correlate', `GET /reports/${reportA.body.id.slice(0, 8)}…/correlations`, green(`200 ${corr.body.items.length} correlated report(s)`));

  const draft = await call<{ id: string }>('POST', '/api/v1/assessments', {
    token: analyst,
    body: {
      title: 'Probable attack planning involving a home-made explosive',
      keyJudgements: ['A single actor is probably acquiring precursors and components', 'An attack in the capital within weeks is a realistic possibility'],
      body: 'Police and customs reporting, linked by a shared phone number, indicates the acquisition of both explosive precursors and timing components.',
      likelihood: 'LIKELY',
      recommendedLevel: 'SEVERE',
      scope: 'NATIONAL',
      sectors: ['TRANSPORT', 'CROWDED_PLACES'],
      reportIds: [reportA.body.id, reportB.body.id],
      classification: 'SECRET',
      compartments: [],
      tlp: 'AMBER',
      validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      distribution: { all: true },
      tearline: { summary: 'Heightened risk of an attack using home-made explosives; report bulk purchases of hydrogen peroxide and timers.', classification: 'RESTRICTED', tlp: 'GREEN' },
    },
  });
  expectStatus(draft, 201, 'draft assessment');
  line('analyst', 'drafts an assessment with a RESTRICTED tearline', 'POST /api/v1/assessments', green(`201 DRAFT ${draft.body.id.slice(0, 8)}…`));

  expectStatus(await call('POST', `/api/v1/assessments/${draft.body.id}/submit`, { token: analyst }), 200, 'submit');
  line('analyst', 'submits it for review', `POST /assessments/${draft.body.id.slice(0, 8)}…/submit`, green('200 IN_REVIEW'));

  const selfPublish = await call('POST', `/api/v1/assessments/${draft.body.id}/publish`, { token: analyst });
  line('analyst', 'tries to publish it herself', `POST /assessments/${draft.body.id.slice(0, 8)}…/publish`, selfPublish.status === 403 ? green('403 only a supervisor publishes') : red(String(selfPublish.status)));
  if (selfPublish.status !== 403) throw new DemoFailure('an analyst must not publish');

  const pub = await call('POST', `/api/v1/assessments/${draft.body.id}/publish`, { token: supervisor });
  expectStatus(pub, 200, 'publish');
  line('supervisor', 'publishes it: one dissemination per agency', `POST /assessments/${draft.body.id.slice(0, 8)}…/publish`, green('200 PUBLISHED'));

  type Row = { agencyCode: string; variant: string; status: string };
  const rows = await waitUntil('the worker to deliver to every agency', async () => {
    const r = await call<Row[]>('GET', `/api/v1/assessments/${draft.body.id}/disseminations`, { token: supervisor });
    return r.body.every((d) => !['PENDING', 'QUEUED'].includes(d.status)) ? r.body : null;
  });
  const summary = rows.map((r) => `${r.agencyCode}:${r.variant}`).join(' ');
  line('worker', 'delivers each agency the variant it may hold', `GET /assessments/${draft.body.id.slice(0, 8)}…/disseminations`, green(summary));

  const inboxOf = async (token: string) => (await call<{ items: { id: string; assessmentId?: string; variant: string; kind: string }[] }>('GET', '/api/v1/inbox', { token })).body.items;
  const customsItem = (await inboxOf(customs)).find((i) => i.assessmentId === draft.body.id);
  const borderItem = (await inboxOf(border)).find((i) => i.assessmentId === draft.body.id);
  if (customsItem?.variant !== 'FULL' || borderItem?.variant !== 'TEARLINE') throw new DemoFailure(`expected FULL to customs and TEARLINE to border: ${customsItem?.variant}, ${borderItem?.variant}`);
  await waitUntil('the signed webhook to customs', () => Promise.resolve(receiver.verified.includes(customsItem.id)));
  line('customs.officer', 'has the full text; webhook signature verified', 'GET /api/v1/inbox', green('FULL + Standard Webhooks ✓'));
  line('border.officer', 'has the sanitised tearline only', 'GET /api/v1/inbox', green('TEARLINE'));

  const ack = await call('POST', `/api/v1/inbox/${customsItem.id}/acknowledge`, { token: customs });
  expectStatus(ack, 200, 'acknowledge');
  line('customs.officer', 'acknowledges receipt', `POST /inbox/${customsItem.id.slice(0, 8)}…/acknowledge`, green('200 ACKNOWLEDGED'));

  const rec = await call<{ level: string }>('GET', '/api/v1/threat-level/recommendation', { token: supervisor });
  const set = await call<{ level: string; since: string }>('POST', '/api/v1/threat-level', {
    token: supervisor,
    body: { level: rec.body.level, justification: 'Published assessment judges attack planning likely', assessmentIds: [draft.body.id] },
  });
  expectStatus(set, 201, 'set threat level');
  line('supervisor', `raises the national threat level (recommended ${rec.body.level})`, 'POST /api/v1/threat-level', green(`201 ${set.body.level}`));
  const notices = await waitUntil('the threat-level notice in every agency’s inbox', async () => {
    const all = await Promise.all([police, customs, border].map(inboxOf));
    return all.every((items) => items.some((i) => i.kind === 'THREAT_LEVEL')) ? all.length : null;
  });
  const pubLevel = await call<{ level: string }>('GET', '/api/v1/threat-level');
  line('public', 'sees the level; every agency has the notice', 'GET /api/v1/threat-level', green(`200 ${pubLevel.body.level} (notice in ${notices} sampled inboxes)`));

  const who = await call<{ items: { action: string; actorId: string }[] }>('GET', `/api/v1/audit-events?resourceId=${reportA.body.id}&limit=200`, { token: auditor });
  expectStatus(who, 200, 'audit search');
  const kinds = [...new Set(who.body.items.map((e) => e.action))].join(', ');
  line('auditor', 'asks who saw the police report', `GET /api/v1/audit-events?resourceId=…`, green(`200 ${who.body.items.length} events: ${kinds}`));
  const verify = await call<{ valid: boolean; checked: number }>('GET', '/api/v1/audit-events/verify', { token: auditor });
  if (!verify.body.valid) throw new DemoFailure(`audit chain does not verify: ${JSON.stringify(verify.body)}`);
  line('auditor', 'verifies the hash chain', 'GET /api/v1/audit-events/verify', green(`200 valid, ${verify.body.checked} events`));
}

/**
 * Stops the API and the worker (SIGTERM; SIGKILL after 10 s) and removes what this run made outside
 * the database: every Redis key of its queue prefix (the outbox relay re-enqueues whatever is still
 * open on the next start) and, unless a failure needs them, its log folder.
 */
async function shutDown(children: ChildProcess[], closeReceiver: () => void, config: AppConfig, logDir: string, keepLogs: boolean): Promise<void> {
  closeReceiver();
  await Promise.all(
    children.map(
      (ch) =>
        new Promise<void>((done) => {
          if (ch.exitCode !== null || ch.signalCode !== null) return done();
          ch.once('exit', () => done());
          ch.kill('SIGTERM');
          setTimeout(() => ch.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (err) {
    process.stderr.write(`could not remove the Redis keys ${config.QUEUE_PREFIX}:*: ${(err as Error).message}\n`);
  } finally {
    redis.disconnect();
  }
  if (keepLogs) process.stderr.write(`logs kept in ${logDir}\n`);
  else rmSync(logDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  // The demo's queues live under a prefix of their own (removed when it stops), unless QUEUE_PREFIX says otherwise.
  const { config, childEnv, generated, exitWhenDone } = launchEnvironment(['127.0.0.1'], { QUEUE_PREFIX: 'fusion-demo' });
  process.stdout.write(`${bold('Fusion Cell demo')}\n`);
  await preflight(config);
  const bootstraps = await migrate(config);

  const logDir = mkdtempSync(join(tmpdir(), 'fusion-demo-'));
  const receiverSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(receiverSecret);
  const children = [startProcess('api', 'main', childEnv, logDir), startProcess('worker', 'worker', childEnv, logDir)];
  let crashed = false;
  let stopping: Promise<void> | undefined;
  const stop = (keepLogs: boolean) => (stopping ??= shutDown(children, receiver.close, config, logDir, keepLogs || crashed));
  for (const [i, ch] of children.entries()) {
    ch.on('exit', (code) => {
      if (code && code !== 0 && !stopping) {
        crashed = true;
        process.stderr.write(red(`\n${i === 0 ? 'API' : 'worker'} exited with code ${code}; see ${logDir}\n`));
      }
    });
  }
  process.on('SIGINT', () => {
    if (stopping) return;
    process.stdout.write('\nstopping…\n');
    void stop(false).then(() => process.exit(0));
  });

  try {
    const base = `http://127.0.0.1:${config.PORT}`;
    await waitUntil('the API to start', async () => {
      try {
        return (await fetch(`${base}/health`)).ok;
      } catch {
        return false;
      }
    });
    process.stdout.write(`${green('✓')} API and worker started (logs in ${logDir})\n`);

    const seedApp = await NestFactory.createApplicationContext(SeedModule.forConfig(config), { logger: ['error'] });
    const { credentials, reports } = await seedDemo(seedApp).finally(() => seedApp.close());
    process.stdout.write(`${green('✓')} demo data: agencies of every kind, users for every role, ${reports} new reports\n\n`);

    await story(base, credentials, config.BOOTSTRAP_ADMIN_PASSWORD ?? '', receiver, receiverSecret);

    process.stdout.write(`\n${green(bold('The whole mechanism ran.'))}\n`);
    process.stdout.write(`  Swagger UI:   ${base}/api/docs\n  Health:       ${base}/health\n  Threat level: ${base}/api/v1/threat-level\n`);
    process.stdout.write(`  Logs:         ${logDir} (removed when the demo stops)\n`);
    process.stdout.write('  Logins (new passwords on every run):\n');
    // The admin's password is new only when the API this run started created the admin (an empty database).
    if (bootstraps && generated.BOOTSTRAP_ADMIN_PASSWORD) process.stdout.write(`    ${'admin'.padEnd(20)} ${generated.BOOTSTRAP_ADMIN_PASSWORD}\n`);
    for (const [u, p] of Object.entries(credentials)) process.stdout.write(`    ${u.padEnd(20)} ${p}\n`);
  } catch (err) {
    const interrupted = !!stopping;
    await stop(true);
    if (interrupted) return; // Ctrl-C during the story: the SIGINT handler exits once everything is stopped
    throw err;
  }
  if (exitWhenDone) {
    await stop(false);
    return;
  }
  process.stdout.write('\nThe API keeps running for exploration. Ctrl-C to stop.\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`\n${red('demo failed:')} ${err instanceof DemoFailure || err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { dropDatabase } from './support/test-database';
import { serverUrl } from './support/test-env';
import { freePort } from './support/child-processes';
import { dropQueueKeys } from './support/queue-keys';

/** Runs the demo; with `interruptAfter`, sends it SIGINT (Ctrl-C) once its output contains that text. */
function run(env: NodeJS.ProcessEnv, interruptAfter?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const root = resolve(__dirname, '..');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/demo/demo.ts'], { cwd: root, env: { ...process.env, ...env, TS_NODE_TRANSPILE_ONLY: 'true' } });
    let out = '';
    const take = (b: Buffer) => {
      out += b.toString();
      if (interruptAfter && out.includes(interruptAfter)) {
        interruptAfter = undefined;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => ok({ code, out }));
  });
}

/** Lines wider than the demo's 120 columns. */
const tooWide = (out: string) => out.split('\n').filter((l) => [...l].length > 120);

/** The log folder the run announced; it must be gone once the demo has ended. */
const logFolder = (out: string) => /logs in (\S+)\)/.exec(out)?.[1] ?? 'not announced';

async function queueKeys(prefix: string): Promise<string[]> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    return await redis.keys(`${prefix}:*`);
  } finally {
    redis.disconnect();
  }
}

const ADMIN_LOGIN = /^ {4}admin +\S+/m;

/** `npm run demo`, headless, against a database it creates itself; then again, to show it is re-runnable. */
describe('npm run demo', () => {
  const dbName = `fusion_demo_${Date.now()}_${process.pid}`;
  const queuePrefix = `fusiontest-demo-${process.pid}-${Date.now()}`;
  afterAll(async () => {
    await dropDatabase(dbName);
    await dropQueueKeys(queuePrefix); // the run's own prefix is tidied by global-teardown; this one is the demo's
  });

  it('plays the whole story through the REST API and every step succeeds', async () => {
    const env = {
      DATABASE_URL: serverUrl(dbName),
      PORT: String(await freePort()),
      QUEUE_PREFIX: queuePrefix,
      DEMO_EXIT: '1',
      NODE_ENV: 'production',
      JWT_SECRET: '',
      BOOTSTRAP_ADMIN_PASSWORD: '',
    };
    const first = await run(env);
    expect(first.out).toContain('created database');
    for (let i = 1; i <= 18; i++) expect(first.out).toContain(`[${String(i).padStart(2)}/18]`);
    expect(first.out).toMatch(/one ADMIN asks for an analyst, the other approves .*202 → 200 APPLIED; logs in/); // four eyes (SPEC S1)
    expect(first.out).toMatch(/border\.officer .*200 no readable hits; held by/);
    expect(first.out).toMatch(/BORDER:TEARLINE/);
    expect(first.out).toMatch(/CUSTOMS:FULL/);
    expect(first.out).toContain('FULL + Standard Webhooks ✓');
    expect(first.out).toMatch(/verifies the hash chain .*200 valid/);
    expect(first.out).toContain('The whole mechanism ran.');
    expect(first.code).toBe(0);
    // Readable in 120 columns; the admin's password shown because this run bootstrapped the database;
    // once the headless run has ended, neither its queue keys nor its log folder are left behind.
    expect(tooWide(first.out)).toEqual([]);
    expect(first.out).toMatch(ADMIN_LOGIN);
    expect(existsSync(logFolder(first.out))).toBe(false);
    expect(await queueKeys(queuePrefix)).toEqual([]);

    // Again, against the same database, left running and stopped with Ctrl-C (SIGINT).
    const second = await run({ ...env, PORT: String(await freePort()), DEMO_EXIT: '' }, 'Ctrl-C to stop');
    expect(second.out).toContain('0 new reports');
    expect(second.out).toContain('The whole mechanism ran.');
    expect(second.out).toContain('stopping…');
    expect(second.code).toBe(0);
    expect(tooWide(second.out)).toEqual([]);
    expect(second.out).not.toMatch(ADMIN_LOGIN); // its admin existed already: a fresh password would not work
    expect(existsSync(logFolder(second.out))).toBe(false);
    expect(await queueKeys(queuePrefix)).toEqual([]);
  }, 240_000);

  it('fails loudly, naming the service, when Redis is unreachable', async () => {
    const res = await run({ DATABASE_URL: serverUrl(dbName), REDIS_URL: 'redis://127.0.0.1:1', DEMO_EXIT: '1', JWT_SECRET: '', BOOTSTRAP_ADMIN_PASSWORD: '' });
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/Redis is not reachable at 127\.0\.0\.1:1 \(REDIS_URL\)/);
  }, 60_000);

  it('fails loudly, naming the service, when PostgreSQL is unreachable', async () => {
    const res = await run({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/fusion', DEMO_EXIT: '1', JWT_SECRET: '', BOOTSTRAP_ADMIN_PASSWORD: '' });
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/PostgreSQL is not reachable at 127\.0\.0\.1:1 \(DATABASE_URL\)/);
  }, 60_000);
});

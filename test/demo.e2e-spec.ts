import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { dropDatabase } from './support/db';
import { serverUrl } from './support/env';
import { freePort } from './support/processes';
import { dropQueueKeys } from './support/queue-keys';

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const root = resolve(__dirname, '..');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/demo/demo.ts'], { cwd: root, env: { ...process.env, ...env, TS_NODE_TRANSPILE_ONLY: 'true' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => ok({ code, out }));
  });
}

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

    const second = await run({ ...env, PORT: String(await freePort()) });
    expect(second.out).toContain('0 new reports');
    expect(second.out).toContain('The whole mechanism ran.');
    expect(second.code).toBe(0);
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

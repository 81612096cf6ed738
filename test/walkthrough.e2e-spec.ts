import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { TestApp } from './support/test-app';
import { OwnDatabase } from './support/own-database';
import { Fixtures, PASSWORD } from './support/agencies-and-users';

const ROOT = resolve(__dirname, '..');

/** The ```bash blocks of docs/walkthrough.md, in order: the script the page says to run. */
function walkthrough(): string[] {
  const md = readFileSync(resolve(ROOT, 'docs/walkthrough.md'), 'utf8');
  return [...md.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((ok) => {
    const child = spawn('bash', ['-s'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => ok({ code, out, err }));
    child.stdin.end(script);
  });
}

/**
 * docs/walkthrough.md, run as written (bash, curl, node) against the real API listening on a port, on a
 * database of its own (it sets the national threat level, which other suites read).
 */
describe('docs/walkthrough.md runs as written', () => {
  const db = new OwnDatabase('walk');
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    await db.start();
    t = await TestApp.start();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const fx = new Fixtures(t);
    const cell = await fx.fusionCell();
    const [police, analyst, supervisor] = await Promise.all([
      fx.agency('POLICE').then((a) => fx.user(a, ['OFFICER'])),
      fx.user(cell, ['ANALYST']),
      fx.user(cell, ['SUPERVISOR']),
    ]);
    env = {
      API: `http://127.0.0.1:${port}/api/v1`,
      POLICE_USER: police.username,
      POLICE_PASSWORD: PASSWORD,
      ANALYST_USER: analyst.username,
      ANALYST_PASSWORD: PASSWORD,
      SUPERVISOR_USER: supervisor.username,
      SUPERVISOR_PASSWORD: PASSWORD,
    };
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await db.stop();
  });

  it('every step succeeds: a report, an assessment citing it, published by another person, and the threat level set', async () => {
    const blocks = walkthrough();
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const run = await bash(blocks.join('\n'), env);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
    expect(run.out).toMatch(/^report [0-9a-f-]{36}$/m);
    expect(run.out).toMatch(/^assessment [0-9a-f-]{36}$/m);
    expect(run.out).toContain('"status":"PUBLISHED"');

    const [{ n }] = await t.ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM assessment WHERE status = 'PUBLISHED'`);
    expect(n).toBe(1);
    expect((await t.get('/api/v1/threat-level')).body.level).toBe('SEVERE');
  }, 60_000);

  it('runs again: the report is the same (Idempotency-Key), the assessment a new one', async () => {
    const run = await bash(walkthrough().join('\n'), env);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
    const [{ reports }] = await t.ds.query<{ reports: number }[]>(`SELECT count(*)::int AS reports FROM report`);
    expect(reports).toBe(1);
  }, 60_000);

  it('stops loudly at a login that fails, instead of using the error body as a token', async () => {
    const [logins] = walkthrough();
    const run = await bash(logins, { ...env, SUPERVISOR_PASSWORD: 'not-the-password' });
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(/401|Unauthorized/);
  });

  it('stops at the first call that fails, showing the API’s error body', async () => {
    const [logins] = walkthrough();
    const run = await bash(`${logins}\ncurl -sS --fail-with-body "$API/reports/not-a-uuid" -H "authorization: Bearer $POLICE"; echo\necho "still running"`, env);
    expect(run.code).not.toBe(0);
    expect(run.out).toContain('"statusCode":');
    expect(run.out).not.toContain('still running');
  });
});

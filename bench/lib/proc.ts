import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, ROOT } from './config';
import { sleep } from './stats';

const LOG_DIR = join(DATA_DIR, 'logs');

/** Every child this run started, so a crash or Ctrl-C still ends them (by pid, one by one). */
const children = new Set<ChildProcess>();

/**
 * The V8 flags the product runs with: those of `npm run start:prod` / `worker:prod` in package.json
 * (`node <flags> dist/….js`), so the benchmark measures the process as deployed.
 */
export function productNodeFlags(script: 'start:prod' | 'worker:prod'): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts[script].trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json ${script} does not start with node: ${pkg.scripts[script]}`);
  return words.slice(1).filter((w) => w.startsWith('--'));
}

/** The same free-port helper the tests use. */
export { freePort } from '../../test/support/child-processes';

export class Child {
  readonly proc: ChildProcess;
  private tailText = '';

  constructor(
    readonly name: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(join(LOG_DIR, `${name}.log`), { flags: 'a' });
    this.proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.proc);
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      this.tailText = (this.tailText + chunk.toString('utf8')).slice(-4000);
    };
    this.proc.stdout?.on('data', keep);
    this.proc.stderr?.on('data', keep);
    this.proc.once('exit', () => {
      children.delete(this.proc);
      log.end();
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  tail(): string {
    return this.tailText;
  }

  /** Resident set size in MB, from /proc/<pid>/status (VmRSS). */
  rssMb(): number | null {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : null;
    } catch {
      return null;
    }
  }

  /** SIGTERM (graceful shutdown drains work), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout' && this.alive) {
      this.proc.kill('SIGKILL');
      await exited;
    }
  }
}

/** Waits until `url` answers with `status` (default 200). */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000, status = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child.alive) throw new Error(`${child.name} exited during start-up:\n${child.tail()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === status) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.tail()}`);
    await sleep(200);
  }
}

/** Ends every child still running (by its own pid). */
export function killAllChildren(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Samples a child's RSS every `everyMs` until stopped; keeps the peak and the samples. */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  peak = 0;
  samples: number[] = [];

  constructor(private readonly child: Child) {}

  start(everyMs = 200): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    return this;
  }

  private sample(): void {
    const mb = this.child.rssMb();
    if (mb === null) return;
    this.samples.push(mb);
    if (mb > this.peak) this.peak = mb;
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** CPU time (ms) a process has used, all its threads: the sum of /proc/<pid>/task/<tid>/schedstat (ns on CPU). */
function processCpuMs(pid: number): number {
  let ns = 0;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0; // exited
  }
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

/** Pids of every process whose name (/proc/<pid>/comm) is `comm`: all PostgreSQL backends, or redis-server. */
function pidsByName(comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** Where CPU went, by process group: ms of CPU. */
export type CpuByProcess = Record<string, number>;

/**
 * Snapshots of CPU time by process group (the given children, every PostgreSQL process, redis-server and
 * this process), so a burst's CPU can be split by who spent it. `since(snapshot)` gives the difference.
 */
export function cpuSnapshot(children: Record<string, Child | null>): CpuByProcess {
  const out: CpuByProcess = {};
  for (const [name, child] of Object.entries(children)) out[name] = child ? processCpuMs(child.pid) : 0;
  out.postgres = pidsByName('postgres').reduce((s, pid) => s + processCpuMs(pid), 0);
  out.redis = pidsByName('redis-server').reduce((s, pid) => s + processCpuMs(pid), 0);
  out.bench = processCpuMs(process.pid);
  return out;
}

export function cpuSince(before: CpuByProcess, after: CpuByProcess): CpuByProcess {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Math.max(0, v - (before[k] ?? 0))]));
}

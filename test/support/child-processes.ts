import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A TCP port nobody listens on right now (the OS picks it; we close it again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the last few KiB a child wrote, for failure messages. */
function tail(child: ChildProcess): () => string {
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => out;
}

/** Children still running; SIGKILLed if the test process exits without stopping them (e.g. --forceExit). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * A private, throw-away redis-server on its own port: no persistence at all, so killing it and
 * starting it again on the same port gives an empty Redis (the "Redis lost its data" case).
 */
export class RedisServer {
  private child?: ChildProcess;
  private output: () => string = () => '';

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it and waits until `redis-cli ping` answers PONG. */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.running) throw new Error('redis-server already running');
    const child = track(
      spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), '--daemonize', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child = child;
    this.output = tail(child);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`redis-server exited at start:\n${this.output()}`);
      if ((await this.cli('ping').catch(() => '')) === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within ${timeoutMs} ms:\n${this.output()}`);
      await sleep(50);
    }
  }

  /** SIGKILL: no shutdown, no save. Resolves when the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.running) child.kill('SIGKILL');
    await exited(child);
  }

  /** Runs one redis-cli command against this server; resolves with its trimmed output. */
  cli(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { timeout: 5000 }, (err, stdout) =>
        err ? reject(new Error(`redis-cli ${args.join(' ')}: ${err.message}`)) : resolve(stdout.trim()),
      );
    });
  }
}

/**
 * The real worker entry point (src/worker.ts) as a separate OS process, compiled on the fly by
 * ts-node (transpile only), so it can be killed with SIGKILL like a crashed container.
 */
export class WorkerProcess {
  readonly startedAt = Date.now();
  private readonly output: () => string;

  private constructor(private readonly child: ChildProcess) {
    this.output = tail(child);
  }

  static start(env: Record<string, string | undefined>): WorkerProcess {
    const child = track(
      spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/worker.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...env, TS_NODE_TRANSPILE_ONLY: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    return new WorkerProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the process wrote last (stdout and stderr), for failure messages. */
  log(): string {
    return this.output();
  }

  /** Sends `signal`; if the process is not gone after `graceMs`, SIGKILLs it. Resolves when it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const gone = exited(this.child);
    this.child.kill(signal);
    if (signal !== 'SIGKILL') {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    }
    await gone;
  }
}

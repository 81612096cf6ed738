import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/**
 * A local HTTP server standing in for agencies' webhook endpoints; it records every request. Each path
 * answers by its own plan: a list of status codes used in turn (the last one repeats), e.g.
 * [500, 500, 204]; 204 without one. A held path records each request and leaves it unanswered (the
 * sender waits, as for a hung agency endpoint) until `answer` gives it a status.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly plans = new Map<string, number[]>();
  private readonly held = new Set<string>();
  private readonly waiting: { path: string; res: http.ServerResponse }[] = [];
  private server?: http.Server;
  port = 0;

  plan(path: string, statuses: number[]): void {
    this.plans.set(path, [...statuses]);
  }

  /** Requests to `path` are left unanswered from now on. */
  hold(path: string): void {
    this.held.add(path);
  }

  /** Requests to `path` are answered `status` from now on, and those held are answered now. */
  answer(path: string, status: number): void {
    this.held.delete(path);
    this.plans.set(path, [status]);
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i];
      if (w.path !== path) continue;
      this.waiting.splice(i, 1);
      if (!w.res.writableEnded && !w.res.destroyed) {
        w.res.statusCode = status;
        w.res.end();
      }
    }
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  for(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        if (this.held.has(path)) {
          this.waiting.push({ path, res });
          return;
        }
        const plan = this.plans.get(path) ?? [204];
        res.statusCode = plan.length > 1 ? (plan.shift() as number) : plan[0];
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

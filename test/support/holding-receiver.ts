import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Received } from './receiver';

export interface HeldReceived extends Received {
  at: number;
}

/**
 * A webhook receiver that can also hold requests: a held path records each request as it arrives
 * and never answers it (the sender waits, as it would for a hung agency endpoint), until `answer`
 * sets a status for it. Other paths answer 204 or their `answer` status at once.
 */
export class HoldingReceiver {
  readonly received: HeldReceived[] = [];
  private readonly held = new Set<string>();
  private readonly statuses = new Map<string, number>();
  private readonly waiting: http.ServerResponse[] = [];
  private server?: http.Server;
  port = 0;

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  for(path: string): HeldReceived[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Requests to `path` are left unanswered from now on. */
  hold(path: string): void {
    this.held.add(path);
  }

  /** Requests to `path` are answered `status` from now on, and any still held are answered now. */
  answer(path: string, status: number): void {
    this.held.delete(path);
    this.statuses.set(path, status);
    for (const res of this.waiting.splice(0)) {
      if (!res.writableEnded && !res.destroyed) {
        res.statusCode = status;
        res.end();
      }
    }
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        if (this.held.has(path)) {
          this.waiting.push(res);
          return;
        }
        res.statusCode = this.statuses.get(path) ?? 204;
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

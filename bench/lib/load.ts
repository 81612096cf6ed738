import http from 'node:http';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { percentile, series, type Series } from './stats';

export interface LoadResult {
  /** 2xx responses (or committed transactions) per second. */
  rps: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

export interface CannonOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  /** Requests per second over all connections (a rate-limited run). */
  overallRate?: number;
  /** A fresh header per request (e.g. a unique Idempotency-Key). */
  perRequestHeaders?: () => Record<string, string>;
  /** The answer being measured when it is not a 2xx (e.g. 404 for a caller who may not read the report): its latencies and count. */
  expectStatus?: number;
}

/** One autocannon run, no pipelining; latency percentiles from every 2xx response's time (or every `expectStatus` one). */
export function cannon(o: CannonOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const requests = o.perRequestHeaders
      ? [
          {
            setupRequest: (req: autocannon.Request) => ({ ...req, headers: { ...(req.headers ?? {}), ...o.perRequestHeaders!() } }),
          },
        ]
      : undefined;
    const instance = autocannon(
      {
        url: o.url,
        method: o.method ?? 'GET',
        headers: o.headers,
        body: o.body,
        connections: o.connections,
        pipelining: 1,
        duration: o.duration,
        overallRate: o.overallRate,
        requests,
        timeout: 60,
      },
      (err: Error | null, r: autocannon.Result) => {
        if (err) return reject(err);
        const codes: Record<string, number> = {};
        for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) codes[code] = v.count ?? 0;
        resolve({
          rps: (o.expectStatus ? latencies.length : r['2xx']) / r.duration,
          count: o.expectStatus ? latencies.length : r['2xx'],
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          non2xx: r.non2xx,
          errors: r.errors,
          statusCodes: codes,
        });
      },
    );
    instance.on('response', (_client: autocannon.Client, status: number, _bytes: number, ms: number) => {
      if (o.expectStatus ? status === o.expectStatus : status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

export interface SeriesResult {
  rps: Series;
  p50: Series;
  p95: Series;
  p99: Series;
  last: LoadResult;
  non2xx: number;
  errors: number;
}

/** Warm-up, then `runs` measured runs: medians and spread. */
export async function measuredSeries(run: (durationSec: number) => Promise<LoadResult>, warmupSec: number, runs: number, durationSec: number): Promise<SeriesResult> {
  if (warmupSec > 0) await run(warmupSec);
  const results: LoadResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await run(durationSec));
  return {
    rps: series(results.map((r) => r.rps)),
    p50: series(results.map((r) => r.p50)),
    p95: series(results.map((r) => r.p95)),
    p99: series(results.map((r) => r.p99)),
    last: results[results.length - 1],
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
  };
}

/**
 * `concurrency` pg connections each running `work` back to back for `durationSec`: the raw-pg ceiling
 * at the same concurrency as the HTTP load. Connections are opened before the clock starts.
 */
export async function rawPgLoad(url: string, concurrency: number, durationSec: number, work: (c: Client, i: number) => Promise<void>): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new Client({ connectionString: url, application_name: 'fusion-bench-raw' });
      await c.connect();
      return c;
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let seq = 0;
  const deadline = performance.now() + durationSec * 1000;
  const t0 = performance.now();
  try {
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < deadline) {
          const s = performance.now();
          try {
            await work(c, seq++);
            latencies.push(performance.now() - s);
          } catch {
            errors += 1;
            await c.query('ROLLBACK').catch(() => undefined);
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  const elapsed = (performance.now() - t0) / 1000;
  return {
    rps: latencies.length / elapsed,
    count: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    non2xx: 0,
    errors,
    statusCodes: {},
  };
}

/** Sequential latency of one query for `durationSec` (at least `minSamples`). */
export async function sequentialLatency(durationSec: number, once: () => Promise<void>, minSamples = 20): Promise<{ p50: number; p95: number; p99: number; count: number }> {
  const latencies: number[] = [];
  const deadline = performance.now() + durationSec * 1000;
  while (performance.now() < deadline || latencies.length < minSamples) {
    const s = performance.now();
    await once();
    latencies.push(performance.now() - s);
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), count: latencies.length };
}

/**
 * Open-loop load at an even pace: one request every 1/rate s whatever the responses do (at most
 * `maxInFlight` outstanding; beyond that an arrival is counted as dropped). autocannon's overallRate
 * gives each connection a per-second quota that it sends back to back at the start of every second,
 * which measures bursts, not a steady 50 % load; this measures the steady one.
 */
export function pacedLoad(o: { url: string; method?: string; headers?: Record<string, string>; body?: string; rate: number; duration: number; maxInFlight: number }): Promise<LoadResult & { dropped: number }> {
  const target = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxInFlight });
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  let inFlight = 0;
  let dropped = 0;
  let errors = 0;
  let sent = 0;
  const total = Math.round(o.rate * o.duration);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const finish = () => {
      agent.destroy();
      const ok = latencies.length;
      resolve({
        rps: ok / o.duration,
        count: ok,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        non2xx: Object.entries(codes).reduce((s, [c, n]) => (c.startsWith('2') ? s : s + n), 0),
        errors,
        statusCodes: codes,
        dropped,
      });
    };
    const maybeDone = () => {
      if (sent + dropped >= total && inFlight === 0) finish();
    };
    const fire = () => {
      if (inFlight >= o.maxInFlight) {
        dropped += 1;
        return;
      }
      inFlight += 1;
      sent += 1;
      const s = performance.now();
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method: o.method ?? 'GET', headers: o.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            const code = String(res.statusCode);
            codes[code] = (codes[code] ?? 0) + 1;
            if (code.startsWith('2')) latencies.push(performance.now() - s);
            inFlight -= 1;
            maybeDone();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        inFlight -= 1;
        maybeDone();
      });
      req.end(o.body);
    };
    // Schedule against the wall clock so timer drift does not lower the rate.
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * o.rate) + 1);
      while (sent + dropped < due) fire();
      if (sent + dropped < total) setTimeout(tick, Math.max(1, 1000 / o.rate / 2));
      else maybeDone();
    };
    tick();
  });
}

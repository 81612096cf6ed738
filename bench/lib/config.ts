import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';

/** Everything the benchmark can be tuned with, read once from the environment. */
export const ROOT = join(__dirname, '..', '..');
export const BENCH_DIR = join(ROOT, 'bench');
/** Git-ignored scratch space: the compiled API, logs, CPU profiles. */
export const DATA_DIR = join(BENCH_DIR, '.data');

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

export const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';

export const settings = {
  quick: QUICK,
  /** Seconds of one measured load run. */
  duration: num('BENCH_DURATION', QUICK ? 3 : 10),
  /** Seconds of warm-up before each series. */
  warmup: num('BENCH_WARMUP', QUICK ? 2 : 5),
  /** Measured runs per series (medians and spread over these). */
  runs: num('BENCH_RUNS', 3),
  /** Concurrent connections for intake: autocannon connections = raw pg clients. */
  connections: num('BENCH_CONNECTIONS', 16),
  /** Report table sizes for the need-to-know reads. */
  scales: QUICK ? [100_000] : [100_000, 1_000_000],
  /** Seconds of one latency series for a read (one connection, sequential requests). */
  readDuration: num('BENCH_READ_DURATION', QUICK ? 3 : 6),
  /** Synthetic audit events chained before the verify benchmark. */
  auditEvents: num('BENCH_AUDIT_EVENTS', QUICK ? 100_000 : 1_000_000),
  /** Recipient agencies of one publication. */
  disseminationAgencies: num('BENCH_DISSEMINATION_AGENCIES', 200),
  disseminationRuns: num('BENCH_DISSEMINATION_RUNS', QUICK ? 3 : 5),
  /** Seconds of the memory soak at 50 % of the intake peak (0: none). */
  soak: process.env.BENCH_SOAK !== undefined ? Number(process.env.BENCH_SOAK) : QUICK ? 0 : 300,
  /** The worker's DELIVERY_CONCURRENCY (the product's default unless given), also the raw BullMQ ceiling's concurrency. */
  workerConcurrency: num('DELIVERY_CONCURRENCY', new AppConfig().DELIVERY_CONCURRENCY),
  /** Write a V8 CPU profile of the API (bench/.data/prof) — for finding out why a target is missed. */
  cpuProf: process.env.BENCH_CPU_PROF === '1',
  pgServer: (process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** A tag unique to this run: database name, queue prefix. */
export const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
export const DB_NAME = `fusion_bench_${RUN_ID}`;
export const QUEUE_PREFIX = `fusionbench-${RUN_ID}`;
export const ADMIN_PASSWORD = `bench-admin-${randomBytes(9).toString('hex')}`;
export const USER_PASSWORD = `bench-user-${randomBytes(9).toString('hex')}`;
export const JWT_SECRET = randomBytes(48).toString('base64url');
/** The Ed25519 seed that signs audit head receipts (required in production). */
export const AUDIT_SIGNING_KEY = randomBytes(32).toString('base64');

export const dbUrl = (name: string): string => `${settings.pgServer}/${name}`;

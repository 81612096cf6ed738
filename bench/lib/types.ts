/** The shapes of what each phase measures (bench/run.ts → bench/lib/results.ts). */
import type { FanoutResults } from './fanout-report';
import type { LoadResult, SeriesResult } from './load';

export type Caller = 'analyst' | 'onePercent' | 'none';

export interface IntakeResults {
  bare: SeriesResult;
  me: SeriesResult;
  post: SeriesResult;
  halfPeak: LoadResult & { rate: number };
  /** The same rate, evenly paced (open loop). */
  halfPeakPaced: LoadResult & { dropped: number };
  /** pg_stat_database deltas per POST during the 50 %-of-peak run (chainer included). */
  perRequest: { commits: number; rowsInserted: number; rowsDeleted: number; rowsFetched: number };
  postIdempotent: LoadResult;
  rawNoAudit: LoadResult[];
  rawWithPending: LoadResult[];
  rawWithChain: LoadResult[];
  /** The real chainer during the measured runs of rawWithChain: batches, events moved, time inside chainBatch. */
  chainer: { batches: number; events: number; ms: number };
  peakRssMb: number;
  rssSamples: number;
  soak: { seconds: number; rate: number; achieved: number; p50: number; p99: number; non2xx: number; startMb: number; endMb: number; maxMb: number; slopeMbPerMin: number; samples: number[] } | null;
}

export interface DisseminationRun {
  variant: 'webhook' | 'inbox';
  agencies: number;
  publishMs: number;
  firstDeliveryMs: number;
  /** When the relay had put the last one in the queue (queued_at). */
  lastQueuedMs: number;
  /** When the last job finished (BullMQ's finishedOn: after its settle statement committed), from the publish request. */
  lastDeliveryMs: number;
  /** When the benchmark's poll saw them all DELIVERED (every 25 ms), from the publish request. */
  lastSeenMs?: number;
  /** When the relay created the BullMQ jobs (the earliest job timestamp), from the publish request. */
  jobsAddedMs: number;
  /** Deliveries ÷ (last delivery − jobs added): the queue's throughput, compared with raw BullMQ's. */
  deliveriesPerSec: number;
  /** Deliveries ÷ time from the publish request to the last delivery (publication and relay included). */
  endToEndPerSec: number;
  /** pg_stat_database deltas ÷ agencies, publication to last delivery, both chainers included. */
  perDelivery: { commits: number; rowsInserted: number; rowsUpdated: number };
  /** CPU ms by process group from the publish request to the last delivery seen (bench/lib/proc.ts cpuSnapshot). */
  cpuMs?: Record<string, number>;
}

export interface DisseminationResults {
  runs: DisseminationRun[];
  webhookPerSec: number | null;
  inboxPerSec: number | null;
  /** lastMs: first job created → last job finished (BullMQ's timestamps); seenMs: addBulk call → last completion seen by the listener. */
  raw: { jobsPerSec: number[]; lastMs: number[]; seenMs?: number[]; cpuMs?: Record<string, number>[] };
  rawSteady: { jobs: number; perSec: number } | null;
  webhooksReceived: number;
}

export interface CallerRead {
  visible: number;
  visiblePct: number;
  api: { p50: number; p95: number; p99: number; count: number; p95Runs: number[] };
  sql: { p50: number; p95: number; count: number };
  sameIdsAsApi: boolean;
  /** Plans with a Seq Scan node on report. */
  seqScanNodes: number;
  /** Scans that read the whole report table: Seq Scan, or an index walk without index condition over ≥ 50 % of the rows. */
  seqScans: number;
  plan: string;
  analyze: string;
  executionMs: number | null;
}

/** One search term: its unfiltered ceiling and the three callers. */
export interface SearchReads {
  term?: string;
  unfiltered: { p50: number; p95: number; count: number; p95Runs: number[] };
  callers: Record<Caller, CallerRead>;
}

export interface ScaleReads {
  rows: number;
  seedSeconds: number;
  unfiltered: { p50: number; p95: number; count: number; p95Runs: number[] };
  callers: Record<Caller, CallerRead>;
  q: SearchReads | null;
  /** The broad search (BROAD_SEARCH), reported beside `q`; absent in runs before session 6. */
  qBroad?: SearchReads | null;
  correlations: CorrelationReads | null;
  apiPeakRssMb: number;
}

/** GET /reports/:id/correlations for each caller, against the same correlation without need-to-know (raw pg) for the same report. */
export interface CorrelationReads {
  callers: Record<
    Caller,
    {
      reportId: string;
      status: number;
      readable: number;
      hidden: number;
      api: { p50: number; p95: number; count: number };
      /** The report's entity keys (over-common ones left out, as the product does), every other report holding one, newest first, over raw pg. */
      unfiltered: { p50: number; p95: number; count: number; matches: number };
    }
  >;
}

export interface AuditResults {
  syntheticEvents: number;
  seedSeconds: number;
  verify: { seconds: number[]; checked: number; valid: boolean };
  rawSha: { seconds: number[]; events: number };
  verifyEventsPerSec: number;
  rawEventsPerSec: number;
  apiPeakRssMb: number;
}

export interface BenchResults {
  date?: string;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  startedLoad: number[];
  intake?: IntakeResults;
  dissemination?: DisseminationResults;
  reads?: ScaleReads[];
  audit?: AuditResults;
  /** Bounded fan-out: correlations of 1,000 reports sharing 200 names (bench/lib/fanout.ts). */
  fanout?: FanoutResults;
  finishedLoad?: number[];
  /** API RSS at phase boundaries (one API process from the intake's restart to the audit phase). */
  rssTimeline?: { at: string; mb: number | null }[];
  elapsedSeconds?: number;
}

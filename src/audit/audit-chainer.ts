import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CoalescingRunner } from '../common/coalescing-runner';
import { preparedQuery } from '../common/prepared';
import { CANON_VERSION, chainHash, type ChainedFields, GENESIS_HASH, HASHED_COLUMNS } from './canonical';

/** An advisory-lock key that only the chainer takes. */
const CHAIN_LOCK = 0x46_55_53_41; // "FUSA"
const CHAIN_BATCH = 500;
const CHAIN_INTERVAL_MS = 1000;
/** How long the chainer waits after a write before it runs: long enough to chain many requests' events in one transaction (one fsync), short enough that nobody waits for it (auditor reads flush it first). */
const CHAIN_DEBOUNCE_MS = 50;
/**
 * While the log is being written (its newest pending event is younger than this, whichever process
 * wrote it), the chainer looks again a moment later instead of running…
 */
const CHAIN_QUIET_MS = 50;
/** …but once asked, it waits at most this long: under steady load it chains about once a second, in large batches. */
export const CHAIN_MAX_DEFER_MS = 1000;
/** The chainer's probe: is the newest pending event younger than $1 seconds? (No row: nothing pending.) */
export const NEWEST_PENDING = `SELECT at > now() - make_interval(secs => $1) AS busy FROM audit_pending ORDER BY id DESC LIMIT 1`;

/**
 * What the chainer does when it runs, given its probe (`undefined`: nothing pending) and how long it
 * has been waiting for the writes to pause: nothing, look again in a moment, or chain.
 */
export function chainStep(newest: { busy: boolean } | undefined, waitedMs: number): 'idle' | 'wait' | 'chain' {
  if (!newest) return 'idle';
  return newest.busy && waitedMs < CHAIN_MAX_DEFER_MS ? 'wait' : 'chain';
}

/**
 * Moves committed events from `audit_pending` into the hash chain (`audit_event`). One chainer at a
 * time across processes (a transaction-scoped advisory lock) takes the pending rows in order, numbers
 * them gap-free after the current head, computes `hash = sha256(prevHash || canonical(event))`, inserts
 * them into `audit_event` and deletes them from `audit_pending`, all in one short transaction. The lock
 * is held for one batch only, so throughput is not bounded by one lock per request.
 *
 * When: moments after the writes pause (or a second after it was first asked, under steady load) and
 * every second; auditor reads `flush()` it first. Waiting for a pause keeps a burst's CPU (a
 * publication's deliveries) for the burst: the events are already committed, with the changes they
 * record; only their hashing into the chain trails by at most a second. Runs in every process that
 * imports AuditModule (the API and the worker).
 */
@Injectable()
export class AuditChainer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditChainer.name);
  private readonly runner = new CoalescingRunner({
    run: () => this.chainWhenQuiet(),
    onError: (err) => this.logger.warn({ err }, 'audit chaining failed; will retry'),
    everyMs: CHAIN_INTERVAL_MS,
    debounceMs: CHAIN_DEBOUNCE_MS,
  });
  /** When the chainer was first asked since it last ran (ms since the epoch), while it waits for a pause. */
  private deferredSince: number | null = null;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  onModuleInit(): void {
    this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    try {
      await this.chainAll();
    } catch (err) {
      this.logger.warn({ err }, 'could not chain pending audit events at shutdown; the next process will');
    }
  }

  /** Asks the chainer to run shortly (events were written). */
  soon(): void {
    this.runner.soon();
  }

  /** Chains everything committed so far. Auditor reads call this first. */
  async flush(): Promise<void> {
    await this.runner.current();
    await this.chainAll();
  }

  /** Chains everything pending once the log's writers pause (see {@link chainStep}). */
  private async chainWhenQuiet(): Promise<void> {
    const now = Date.now();
    this.deferredSince ??= now;
    // One index probe. Its `at` is the writer's clock: a writer whose clock runs ahead only makes the
    // chainer wait its bounded maximum.
    const [newest] = await preparedQuery<{ busy: boolean }>(this.ds, NEWEST_PENDING, [CHAIN_QUIET_MS / 1000]);
    const step = chainStep(newest, now - this.deferredSince);
    if (step === 'wait') return this.runner.soon();
    this.deferredSince = null;
    if (step === 'chain') await this.chainAll();
  }

  async chainAll(): Promise<void> {
    while ((await this.chainBatch()) === CHAIN_BATCH) {
      /* keep going while batches are full */
    }
  }

  /**
   * Moves one batch of pending events into the chain. Returns how many it moved.
   *
   * Three statements under the lock, none through the query builder (this runs beside every write, in
   * the API and in the worker, so its CPU counts): read the batch hand-mapped, read the head, then one
   * statement that deletes the batch from `audit_pending` and inserts it into `audit_event` with the
   * seq and hashes computed here. Only four arrays travel back: the row values move inside PostgreSQL,
   * exactly as they were read and hashed.
   */
  async chainBatch(): Promise<number> {
    return this.ds.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const pending = await m.query<(Omit<ChainedFields, 'seq'> & { id: string })[]>(
        `SELECT id, ${HASHED_COLUMNS} FROM audit_pending ORDER BY id LIMIT $1`,
        [CHAIN_BATCH],
      );
      if (pending.length === 0) return 0;
      const [head] = await m.query<{ seq: string; hash: string }[]>('SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1');
      let seq = head ? BigInt(head.seq) : 0n;
      let prevHash = head ? head.hash : GENESIS_HASH;
      const seqs: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const p of pending) {
        seq += 1n;
        const hash = chainHash(prevHash, { ...p, seq: seq.toString(), canon: CANON_VERSION });
        seqs.push(seq.toString());
        prevs.push(prevHash);
        hashes.push(hash);
        prevHash = hash;
      }
      const ids = pending.map((p) => p.id);
      // Copy first, then delete: audit_pending's guard lets a row go only once its exact copy is chained
      // (an audit_event row naming it by pending_id), which it checks in the DELETE's own statement.
      const [copied] = await m.query<{ n: number }[]>(
        `WITH x AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS x(pid, seq, prev_hash, hash)),
              ins AS (INSERT INTO audit_event (seq, at, actor_id, agency_id, action, resource_type, resource_id, resource_ids,
                                               outcome, reason, request_id, client_request_id, details, prev_hash, hash, canon, pending_id)
                      SELECT x.seq, p.at, p.actor_id, p.agency_id, p.action, p.resource_type, p.resource_id, p.resource_ids,
                             p.outcome, p.reason, p.request_id, p.client_request_id, p.details, x.prev_hash, x.hash, $5::smallint, p.id
                        FROM x JOIN audit_pending p ON p.id = x.pid
                      RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
        [ids, seqs, prevs, hashes, CANON_VERSION],
      );
      const [deleted] = await m.query<{ n: number }[]>(
        `WITH d AS (DELETE FROM audit_pending WHERE id = ANY($1::bigint[]) RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [ids],
      );
      // Only the chainer deletes pending rows, under the lock: a shortfall would be a gap in the chain.
      if (copied?.n !== pending.length || deleted?.n !== pending.length) {
        throw new Error(`audit chaining moved ${copied?.n}/${deleted?.n} of ${pending.length} pending events; rolled back`);
      }
      return pending.length;
    });
  }
}

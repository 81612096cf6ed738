import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import type { AppAbility } from '../access/ability.factory';
import { whereAccessible } from '../access/ability-sql';
import type { RequestContext } from '../access/request-context';
import { preparedQuery } from '../common/prepared';
import { AuditEvent, type AuditOutcome } from './audit-event.entity';
import { atTextSql, CANON_VERSION, chainHash, type ChainedFields, GENESIS_HASH } from './canonical';

type ChainedFieldsWithoutSeq = Omit<ChainedFields, 'seq'>;

export interface AuditInput {
  action: string;
  outcome: AuditOutcome;
  resourceType?: string | null;
  resourceId?: string | null;
  resourceIds?: string[];
  reason?: string | null;
  details?: Record<string, unknown> | null;
  /** Overrides for events without a signed-in caller (e.g. a failed login names the account tried). */
  actorId?: string | null;
  agencyId?: string | null;
}

export interface AuditFilter {
  actorId?: string;
  agencyId?: string;
  action?: string;
  clientRequestId?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  afterSeq?: string;
}

/** An event as an audit_pending row (the columns the chain hashes, but seq and hashes). */
function pendingRow(ctx: RequestContext, i: AuditInput, at: Date) {
  return {
    at,
    actorId: i.actorId !== undefined ? i.actorId : (ctx.principal?.id ?? null),
    agencyId: i.agencyId !== undefined ? i.agencyId : (ctx.principal?.agencyId ?? null),
    action: i.action,
    resourceType: i.resourceType ?? null,
    resourceId: i.resourceId ?? null,
    resourceIds: i.resourceIds ?? [],
    outcome: i.outcome,
    reason: i.reason ?? null,
    requestId: ctx.requestId,
    clientRequestId: ctx.clientRequestId ?? null,
    details: i.details ?? null,
  };
}

/**
 * The columns the chain hashes besides seq, as ChainedFields: the chainer reads them from audit_pending
 * to hash, verify reads them from audit_event to check — one list, so the two cannot drift apart.
 */
const HASHED_COLUMNS = `at, ${atTextSql('at')} AS "atText", actor_id AS "actorId", agency_id AS "agencyId", action, resource_type AS "resourceType", resource_id AS "resourceId",
  resource_ids AS "resourceIds", outcome, reason, request_id AS "requestId", client_request_id AS "clientRequestId", details`;

/** The columns of a `pendingRow` as a JSON record, and the INSERT that takes them (in the chain's order). */
const PENDING_RECORD = `at timestamptz, "actorId" uuid, "agencyId" uuid, action text, "resourceType" text, "resourceId" text,
                "resourceIds" text[], outcome text, reason text, "requestId" text, "clientRequestId" text, details jsonb`;
const PENDING_INSERT = `INSERT INTO audit_pending (at, actor_id, agency_id, action, resource_type, resource_id, resource_ids, outcome, reason, request_id, client_request_id, details)
   SELECT at, "actorId", "agencyId", action, "resourceType", "resourceId", "resourceIds", outcome, reason, "requestId", "clientRequestId", details`;

/** Events as audit_pending rows, from a JSON array of `pendingRow`s, in the array's order (the chain order). */
const INSERT_PENDING = `${PENDING_INSERT}
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${PENDING_RECORD})) WITH ORDINALITY AS e
    ORDER BY e.ordinality`;

/**
 * An event of a set-based statement that writes many rows at once: it records the write of the row
 * `forId`, and when `ifWritten` it is inserted only if the statement did write that row.
 */
export interface GatedAuditInput {
  forId: string;
  ifWritten: boolean;
  input: AuditInput;
}

/** The JSON parameter for {@link insertGatedEvents}: the events in the order they are to chain. */
export function gatedEventsParam(ctx: RequestContext, events: GatedAuditInput[]): string {
  const at = new Date();
  return JSON.stringify(events.map((e) => ({ ...pendingRow(ctx, e.input, at), forId: e.forId, ifWritten: e.ifWritten })));
}

/**
 * A data-modifying CTE body that inserts the events of `param` (a {@link gatedEventsParam}) into
 * audit_pending in their order, leaving out those `ifWritten` whose `forId` is not an `id` of the CTE
 * `written` — so the log records exactly the writes that happened, in the same commit.
 */
export function insertGatedEvents(param: string, written: string): string {
  return `${PENDING_INSERT}
     FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (${PENDING_RECORD}, "forId" uuid, "ifWritten" boolean)) WITH ORDINALITY AS e
    WHERE NOT e."ifWritten" OR e."forId" IN (SELECT id FROM ${written})
    ORDER BY e.ordinality`;
}

export type VerifyResult =
  | { valid: true; checked: number; headSeq: number; headHash: string }
  | { valid: false; checked: number; brokenAtSeq: number; headSeq: number; headHash: string };

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
const CHAIN_MAX_DEFER_MS = 1000;
/** The chainer's probe: is the newest pending event younger than $1 seconds? (No row: nothing pending.) */
export const NEWEST_PENDING = `SELECT at > now() - make_interval(secs => $1) AS busy FROM audit_pending ORDER BY id DESC LIMIT 1`;

/**
 * The audit log.
 *
 * Writing: `record` inserts into `audit_pending` — inside the caller's transaction when it passes its
 * EntityManager, so the event commits (or rolls back) with the change it records. Requests never wait
 * on the chain.
 *
 * Chaining: one chainer at a time (a transaction-scoped advisory lock, across processes) takes the
 * committed pending rows in order, numbers them gap-free after the current head, computes
 * `hash = sha256(prevHash || canonical(event))`, inserts them into `audit_event` and deletes them from
 * `audit_pending`, all in one short transaction. Only the chainer holds the lock, for the time of one
 * batch (hashing and one multi-row insert), so throughput is not bounded by one lock per request.
 * It runs moments after the writes pause (or a second after it was first asked, under steady load)
 * and every second; auditor reads flush it first. Waiting for a pause keeps a burst's CPU (a
 * publication's deliveries) for the burst: the events are already committed in `audit_pending`, with
 * the changes they record; only their hashing into the chain trails by at most a second.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** When the chainer was first asked since it last ran (ms since the epoch), while it waits for a pause. */
  private deferredSince: number | null = null;
  /** The whole-chain walk running now ({@link verifyShared}), and the one queued to start after it. */
  private walking: Promise<VerifyResult> | null = null;
  private nextWalk: Promise<VerifyResult> | null = null;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.kick(), CHAIN_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    try {
      await this.running;
      await this.chainAll();
    } catch (err) {
      this.logger.warn({ err }, 'could not chain pending audit events at shutdown; the next process will');
    }
  }

  /** Writes an audit event (into the caller's transaction when `manager` is given). */
  async record(ctx: RequestContext, input: AuditInput, manager?: EntityManager): Promise<void> {
    await this.recordMany(ctx, [input], manager);
  }

  async recordMany(ctx: RequestContext, inputs: AuditInput[], manager?: EntityManager): Promise<void> {
    if (inputs.length === 0) return;
    const at = new Date();
    // One parameter, one statement, whatever the count: the rows as a JSON array, in order (the pending
    // id, and so the chain order, follows it). No query builder: this runs on every audited request.
    const params = [JSON.stringify(inputs.map((i) => pendingRow(ctx, i, at)))];
    // In the caller's transaction when it gives one; otherwise a prepared autocommit (every read's audit).
    if (manager) await manager.query(INSERT_PENDING, params);
    else await preparedQuery(this.ds, INSERT_PENDING, params);
    this.chainSoon();
  }

  /** Asks the chainer to run shortly (events were written). */
  chainSoon(): void {
    if (this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.kick();
    }, CHAIN_DEBOUNCE_MS);
    this.soon.unref();
  }

  /** Chains everything committed so far. Auditor reads call this first. */
  async flush(): Promise<void> {
    await this.running;
    await this.chainAll();
  }

  private kick(): void {
    if (this.stopped && !this.running) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.chainWhenQuiet()
      .catch((err: unknown) => this.logger.warn({ err }, 'audit chaining failed; will retry'))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * Chains everything pending once the log's writers pause, or at the latest CHAIN_MAX_DEFER_MS after
   * the first ask; with nothing pending, it does nothing (no transaction).
   */
  private async chainWhenQuiet(): Promise<void> {
    const now = Date.now();
    this.deferredSince ??= now;
    const newest = await this.newestPending();
    if (newest?.busy && now - this.deferredSince < CHAIN_MAX_DEFER_MS) {
      this.chainSoon(); // look again in a moment
      return;
    }
    this.deferredSince = null;
    if (newest) await this.chainAll();
  }

  /**
   * Whether the newest pending event is younger than CHAIN_QUIET_MS (one index probe; undefined when
   * nothing is pending). Its `at` is the writer's clock: a writer whose clock runs ahead only makes
   * the chainer wait its bounded maximum.
   */
  private async newestPending(): Promise<{ busy: boolean } | undefined> {
    const [newest] = await preparedQuery<{ busy: boolean }>(
      this.ds,
      NEWEST_PENDING,
      [CHAIN_QUIET_MS / 1000],
    );
    return newest;
  }

  private async chainAll(): Promise<void> {
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
      const pending = await m.query<(ChainedFieldsWithoutSeq & { id: string })[]>(
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

  /**
   * Filtered audit events in chain order (ascending seq), keyset-paginated: only those the reader's
   * ability lets them read (auditors by scope, in the ability factory).
   */
  async search(ability: AppAbility, filter: AuditFilter, limit: number): Promise<AuditEvent[]> {
    const qb = this.ds.getRepository(AuditEvent).createQueryBuilder('e');
    whereAccessible(qb, ability, 'read', 'AuditEvent');
    if (filter.actorId) qb.andWhere('e.actor_id = :actorId', { actorId: filter.actorId });
    if (filter.agencyId) qb.andWhere('e.agency_id = :agencyId', { agencyId: filter.agencyId });
    if (filter.action) qb.andWhere('e.action = :action', { action: filter.action });
    if (filter.clientRequestId) qb.andWhere('e.client_request_id = :clientRequestId', { clientRequestId: filter.clientRequestId });
    if (filter.resourceType) qb.andWhere('e.resource_type = :resourceType', { resourceType: filter.resourceType });
    if (filter.outcome) qb.andWhere('e.outcome = :outcome', { outcome: filter.outcome });
    if (filter.from) qb.andWhere('e.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.at < :to', { to: filter.to });
    if (filter.afterSeq) qb.andWhere('e.seq > :afterSeq', { afterSeq: filter.afterSeq });
    if (filter.resourceId) {
      // resource_id or one of resource_ids: the expression of audit_event_resources_idx (one GIN index).
      // Both spellings: events written before ids were lower-cased on the way in may hold one in upper case.
      qb.andWhere('array_append(e.resource_ids, e.resource_id) && ARRAY[:rid, upper(:rid)]::text[]', { rid: filter.resourceId });
    }
    // `at` also as the exact text the v2 hash covers (microseconds), for the views and exports.
    qb.addSelect(atTextSql('e.at'), 'e_at_text');
    const { entities, raw } = await qb.orderBy('e.seq', 'ASC').limit(limit).getRawAndEntities<{ e_at_text: string }>();
    return entities.map((e, i) => Object.assign(e, { atText: raw[i].e_at_text }));
  }

  /**
   * Re-computes the whole chain: sequence gap-free from 1, each prev_hash equal to the previous hash,
   * each hash equal to sha256(prevHash || canonical(event)), each event's canonical form no older than
   * the one before it (no v1 after v2). Reports the first seq where it breaks.
   */
  async verify(batch = 5000): Promise<VerifyResult> {
    await this.flush();
    let canon = 1;
    let expected = 1n;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let broken: bigint | null = null;
    for (;;) {
      // Hand-mapped rows (no entity hydration): the same values the chainer hashed.
      const rows = await this.ds.query<(ChainedFields & { prevHash: string; hash: string })[]>(
        `SELECT seq, ${HASHED_COLUMNS}, canon, prev_hash AS "prevHash", hash FROM audit_event
          WHERE seq >= $1 ORDER BY seq LIMIT $2`,
        [expected.toString(), batch],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const seq = BigInt(row.seq);
        if (broken === null) {
          // v1 hashed neither the microseconds nor clientRequestId: a v1 event after v2 ones, or one with a
          // clientRequestId (added with v2), is not what the chainer wrote.
          const rowCanon = Number(row.canon ?? 1);
          const downgraded = rowCanon < canon || (rowCanon === 1 && row.clientRequestId !== null);
          canon = Math.max(canon, rowCanon);
          if (seq !== expected || downgraded || row.prevHash !== prevHash || chainHash(prevHash, { ...row, canon: rowCanon }) !== row.hash) {
            broken = seq !== expected ? expected : seq;
          } else {
            checked += 1;
          }
        }
        expected = seq + 1n;
        prevHash = row.hash;
      }
    }
    const headSeq = Number(expected - 1n);
    if (broken !== null) return { valid: false, checked, brokenAtSeq: Number(broken), headSeq, headHash: prevHash };
    return { valid: true, checked, headSeq, headHash: prevHash };
  }

  /**
   * The whole chain verified by a walk that starts after this call, shared: while a walk runs, every
   * caller joins the one queued to start when it ends. So however many auditors ask at once (GET
   * /verify, POST /verify-receipt), a process walks the chain at most once at a time, and each answer
   * still covers everything committed before its call (its own audit event included).
   */
  verifyShared(): Promise<VerifyResult> {
    const start = (): Promise<VerifyResult> => {
      const walk: Promise<VerifyResult> = this.verify().finally(() => {
        if (this.walking === walk) this.walking = null;
      });
      this.walking = walk;
      return walk;
    };
    if (!this.walking) return start();
    this.nextWalk ??= this.walking
      .catch(() => undefined)
      .then(() => {
        this.nextWalk = null;
        return start();
      });
    return this.nextWalk;
  }

  /** Streams events (filtered) in pages, without holding the whole log in memory. */
  async *stream(ability: AppAbility, filter: AuditFilter, pageSize = 1000): AsyncGenerator<AuditEvent> {
    let afterSeq = filter.afterSeq;
    for (;;) {
      const rows = await this.search(ability, { ...filter, afterSeq }, pageSize);
      for (const row of rows) yield row;
      if (rows.length < pageSize) return;
      afterSeq = rows[rows.length - 1].seq;
    }
  }
}

/**
 * One SQL statement under construction that writes audit events itself (report intake, delivery):
 * its typed parameters (`param`) and its events as `INSERT INTO audit_pending … SELECT … FROM <source>`
 * (`audit`), so an event is written only when `source` returns a row, in the statement's own
 * transaction. After it commits, call `AuditService.chainSoon()`.
 */
export class AuditedStatement {
  constructor(
    private readonly ctx: RequestContext,
    readonly params: unknown[] = [],
  ) {}

  /** `$n::type` for a new parameter. */
  param(value: unknown, type: string): string {
    return `$${this.params.push(value)}::${type}`;
  }

  /**
   * The event's INSERT, one row per row of `source`. `resourceIdsSql`, when given, is an SQL
   * expression (text[]) for resource_ids in place of `input.resourceIds`: ids the statement itself finds.
   */
  audit(input: AuditInput, source: string, resourceIdsSql?: string): string {
    const row = pendingRow(this.ctx, input, new Date());
    const cols: [string, string][] = [
      ['at', this.param(row.at, 'timestamptz')],
      ['actor_id', this.param(row.actorId, 'uuid')],
      ['agency_id', this.param(row.agencyId, 'uuid')],
      ['action', this.param(row.action, 'text')],
      ['resource_type', this.param(row.resourceType, 'text')],
      ['resource_id', this.param(row.resourceId, 'text')],
      ['resource_ids', resourceIdsSql ?? this.param(row.resourceIds, 'text[]')],
      ['outcome', this.param(row.outcome, 'text')],
      ['reason', this.param(row.reason, 'text')],
      ['request_id', this.param(row.requestId, 'text')],
      ['client_request_id', this.param(row.clientRequestId, 'text')],
      ['details', this.param(row.details === null ? null : JSON.stringify(row.details), 'jsonb')],
    ];
    return `INSERT INTO audit_pending (${cols.map(([c]) => `"${c}"`).join(', ')}) SELECT ${cols.map(([, v]) => v).join(', ')} FROM ${source}`;
  }
}

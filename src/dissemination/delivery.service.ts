import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditedStatement, type AuditInput, AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { auditTrail, type DisseminationKind, type DisseminationStatus, type Variant } from './dissemination.entity';
import type { InboxItem } from './inbox-item.entity';
import { postWebhook, type WebhookResult, WebhookPolicy } from './webhook';
import { eachOnFailure, GroupBatcher } from '../common/group-batcher';

const WORKER_CTX = { requestId: 'worker', ip: '127.0.0.1', principal: null };

export class DeliveryFailed extends Error {}

/** What an inbox item's body is made of. */
type InboxBody = Pick<InboxItem, 'id' | 'kind' | 'assessmentId' | 'variant' | 'content' | 'deliveredAt'>;

/** The body of an inbox item and of its webhook: the same on every attempt. */
export function inboxPayload(item: InboxBody) {
  return {
    id: item.id,
    kind: item.kind,
    assessmentId: item.assessmentId,
    variant: item.variant,
    content: item.content,
    deliveredAt: item.deliveredAt.toISOString(),
  };
}

/** The dissemination and where its agency wants it pushed (one read, no entity hydration). */
interface Target {
  id: string;
  kind: DisseminationKind;
  assessment_id: string | null;
  threat_level_change_id: string | null;
  agency_id: string;
  agency_code: string;
  variant: Variant;
  status: DisseminationStatus;
  content: Record<string, unknown> | null;
  webhook_url: string | null;
  webhook_secret: string | null;
}

/** The inbox item as it was before this attempt, when an earlier one wrote it. */
interface PriorItem {
  kind: DisseminationKind;
  assessment_id: string | null;
  variant: Variant;
  content: Record<string, unknown>;
  delivered_at: Date;
}

const OPEN = `status IN ('PENDING','QUEUED')`;

/** One delivery's part of a batched statement: its CTEs and a SELECT whose first column `k` says whose row it is. */
interface Part {
  ctes: string[];
  select: string;
}

/**
 * Deliveries in dissemination-id order: a statement locks their rows in that order, as the relay does,
 * so two statements that share rows wait for each other instead of deadlocking.
 */
function byId<T extends { d: { id: string } }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => (a.d.id < b.d.id ? -1 : a.d.id > b.d.id ? 1 : 0));
}

/** One statement of many deliveries' parts: a single autocommit transaction, so one commit for all. */
function compose(parts: Part[]): string {
  return `WITH ${parts.flatMap((p) => p.ctes).join(',\n')}\n${parts.map((p) => p.select).join('\nUNION ALL\n')}`;
}

type Outcome = 'delivered' | 'skipped' | 'failed';

/** A delivery between its read and its first write. */
interface Send {
  d: Target;
  attempt: number;
  deliveredAt: Date;
  push: boolean;
}

/** A delivery whose POST has been answered. */
interface Settle {
  d: Target;
  attempt: number;
  deliveredAt: Date;
  result: WebhookResult;
  failed: boolean;
}

/** What statement 1 tells about an open dissemination it wrote for. */
type Written = { inserted: boolean } & Partial<PriorItem>;

/** Deliveries running at once share statements: at most this many per statement, this many statements of a kind at once. */
const BATCH = { maxSize: 32, maxInFlight: 2, key: (x: { d: Target } | string) => (typeof x === 'string' ? x : x.d.id) };

/**
 * Delivers disseminations (called by the queue processor in the worker; tests call it directly): writes
 * the agency's inbox item (once, whatever retries happen) and, where the agency has a webhook, POSTs it
 * signed per Standard Webhooks. Any 2xx = DELIVERED. A failed POST throws, so the queue retries with
 * backoff; the last allowed attempt marks the dissemination FAILED instead.
 *
 * A delivery is three steps in PostgreSQL with a webhook (a read, one statement before the POST, one
 * after), two without. Each write is a single statement (data-modifying CTEs), so it commits as one
 * autocommit transaction. Deliveries that run at once (the worker's concurrency) share these: each step
 * is a {@link GroupBatcher}, so 64 concurrent deliveries cost a few statements and commits, not
 * 192. A batched statement that fails is retried one delivery at a time, so a bad row fails only
 * its own delivery.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly policy: WebhookPolicy;
  private readonly reads = new GroupBatcher<string, Target | null>((ids) => eachOnFailure(ids, (xs) => this.readMany(xs)), BATCH);
  private readonly sends = new GroupBatcher<Send, Written | null>((xs) => eachOnFailure(xs, (ys) => this.sendMany(ys)), BATCH);
  private readonly settles = new GroupBatcher<Settle, true>((xs) => eachOnFailure(xs, (ys) => this.settleMany(ys)), BATCH);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {
    this.policy = new WebhookPolicy(config.WEBHOOK_ALLOWED_HOSTS);
  }

  async deliver(disseminationId: string, attempt: number): Promise<Outcome> {
    const d = await this.reads.call(disseminationId);
    if (!d || !['PENDING', 'QUEUED'].includes(d.status) || !d.content) return 'skipped';
    const push = d.webhook_url && d.webhook_secret ? { url: d.webhook_url, secret: d.webhook_secret } : null;

    // Statement 1, committed before anything leaves (so even a worker killed mid-POST leaves a trace of
    // the send): the attempt, its audit and the inbox item. Without a webhook it also settles it.
    const deliveredAt = new Date();
    const written = await this.sends.call({ d, attempt, deliveredAt, push: Boolean(push) });
    if (!written) return 'skipped'; // settled (or being delivered) since the read: nothing written
    this.audit.chainSoon();
    if (!push) return 'delivered';

    const item: InboxBody = written.inserted
      ? { id: d.id, kind: d.kind, assessmentId: d.assessment_id, variant: d.variant, content: d.content, deliveredAt }
      : await this.priorItem(d.id, written);
    const result = await postWebhook(this.policy, push.url, push.secret, d.id, JSON.stringify(inboxPayload(item)));

    // Statement 2: what the POST got, and the dissemination's new state.
    const failed = !result.ok && attempt >= this.config.DISSEMINATION_MAX_ATTEMPTS;
    await this.settles.call({ d, attempt, deliveredAt: item.deliveredAt, result, failed });
    this.audit.chainSoon();
    // Thrown after the commit, so the queue retries it with backoff.
    if (!result.ok && !failed) throw new DeliveryFailed(`webhook to ${d.agency_code} failed: ${result.error}`);
    return result.ok ? 'delivered' : 'failed';
  }

  /** The disseminations and where their agencies want them pushed (one read, no entity hydration). */
  private async readMany(ids: string[]): Promise<(Target | null)[]> {
    const rows = await this.ds.query<Target[]>(
      `SELECT d.id, d.kind, d.assessment_id, d.threat_level_change_id, d.agency_id, d.agency_code, d.variant, d.status, d.content, a.webhook_url, a.webhook_secret
         FROM dissemination d JOIN agency a ON a.id = d.agency_id
        WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  /**
   * Statement 1 for each delivery: only an open dissemination counts an attempt; the inbox item's id is
   * the dissemination's, so a retry writes nothing and finds the item as the first attempt wrote it
   * (`p`: the statement's snapshot, from before its own insert). `deliver` reads from `send` so the two
   * events chain in order. Null for a delivery whose dissemination was no longer open.
   */
  private async sendMany(sends: Send[]): Promise<(Written | null)[]> {
    const stmt = new AuditedStatement(WORKER_CTX);
    const ordered = byId(sends);
    const parts = ordered.map(({ d, attempt, deliveredAt, push }, k): Part => {
      const id = stmt.param(d.id, 'uuid');
      const at = stmt.param(deliveredAt, 'timestamptz');
      const event = trailEvents(d);
      const settle = push ? '' : `, status = 'DELIVERED', delivered_at = coalesce((SELECT delivered_at FROM inbox_item WHERE id = ${id}), ${at}), last_error = NULL`;
      const ctes = [
        `d${k} AS (UPDATE dissemination SET attempts = attempts + 1${settle}
                    WHERE id = ${id} AND ${OPEN} AND content IS NOT NULL
                RETURNING id, agency_id, kind, assessment_id, variant, content)`,
        `send${k} AS (${stmt.audit(event({ action: 'dissemination.send', outcome: 'ALLOWED', details: { attempt, agencyCode: d.agency_code, webhook: push } }), `d${k}`)} RETURNING 1)`,
        `i${k} AS (INSERT INTO inbox_item (id, agency_id, kind, assessment_id, variant, content, delivered_at)
                   SELECT id, agency_id, kind, assessment_id, variant, content, ${at} FROM d${k}
                   ON CONFLICT (id) DO NOTHING RETURNING id)`,
      ];
      if (!push) ctes.push(`deliver${k} AS (${stmt.audit(event(deliverEvent(d, attempt, push)), `send${k}`)})`);
      return {
        ctes,
        select: `SELECT ${k} AS k, i${k}.id IS NOT NULL AS inserted, p.kind, p.assessment_id, p.variant, p.content, p.delivered_at
                   FROM d${k} LEFT JOIN i${k} ON true LEFT JOIN inbox_item p ON p.id = d${k}.id`,
      };
    });
    const rows = await this.ds.query<({ k: number } & Written)[]>(compose(parts), stmt.params);
    const byK = new Map(rows.map(({ k, ...w }) => [Number(k), w]));
    const written = new Map(ordered.map((x, k) => [x, byK.get(k) ?? null]));
    return sends.map((x) => written.get(x) ?? null);
  }

  /**
   * Statement 2 for each delivery: the attempt is audited first (the deliver/fail event reads from it);
   * `deliver` only when this statement settled it, `fail` on the last allowed attempt.
   */
  private async settleMany(settles: Settle[]): Promise<true[]> {
    const stmt = new AuditedStatement(WORKER_CTX);
    const parts = byId(settles).map(({ d, attempt, deliveredAt, result, failed }, k): Part => {
      const id = stmt.param(d.id, 'uuid');
      const event = trailEvents(d);
      const attemptCte = `att${k} AS (${stmt.audit(
        event({ action: 'dissemination.attempt', outcome: result.ok ? 'ALLOWED' : 'FAILED', reason: result.error, details: { attempt, httpStatus: result.status, agencyCode: d.agency_code } }),
        '(SELECT 1) AS one',
      )} RETURNING 1)`;
      let ctes: string[];
      if (result.ok) {
        ctes = [
          `u${k} AS (UPDATE dissemination SET status = 'DELIVERED', delivered_at = ${stmt.param(deliveredAt, 'timestamptz')}, last_error = NULL
                      WHERE id = ${id} AND ${OPEN} RETURNING 1)`,
          attemptCte,
          `deliver${k} AS (${stmt.audit(event(deliverEvent(d, attempt, true)), `u${k}, att${k}`)})`,
        ];
      } else {
        const fail = failed
          ? `, status = CASE WHEN ${OPEN} THEN 'FAILED' ELSE status END, failed_at = CASE WHEN ${OPEN} THEN now() ELSE failed_at END`
          : '';
        ctes = [`u${k} AS (UPDATE dissemination SET last_error = ${stmt.param(result.error, 'text')}${fail} WHERE id = ${id})`, attemptCte];
        if (failed) ctes.push(`fail${k} AS (${stmt.audit(event({ action: 'dissemination.fail', outcome: 'FAILED', reason: `webhook failed ${attempt} times: ${result.error}` }), `att${k}`)})`);
      }
      return { ctes, select: `SELECT ${k} AS k` };
    });
    await this.ds.query(compose(parts), stmt.params);
    return settles.map(() => true as const);
  }

  /** The item an earlier attempt wrote; read again if it committed after statement 1's snapshot (a concurrent attempt). */
  private async priorItem(id: string, seen: Partial<PriorItem>): Promise<InboxBody> {
    let p = seen;
    if (!p.delivered_at) {
      this.logger.warn({ id }, 'inbox item written concurrently by another attempt; reading it back');
      [p] = await this.ds.query<PriorItem[]>(`SELECT kind, assessment_id, variant, content, delivered_at FROM inbox_item WHERE id = $1::uuid`, [id]);
    }
    if (!p?.delivered_at || !p.kind || !p.variant || !p.content) throw new Error(`inbox item ${id} not found after its insert was skipped`);
    return { id, kind: p.kind, assessmentId: p.assessment_id ?? null, variant: p.variant, content: p.content, deliveredAt: p.delivered_at };
  }
}

/** Builds a dissemination's audit events: its resource trail plus what the event says. */
function trailEvents(d: Target) {
  const trail = auditTrail({ id: d.id, assessmentId: d.assessment_id, threatLevelChangeId: d.threat_level_change_id, agencyId: d.agency_id });
  return (input: Omit<AuditInput, keyof typeof trail>): AuditInput => ({ ...trail, ...input });
}

/** The `dissemination.deliver` event (without its trail). */
function deliverEvent(d: Target, attempt: number, webhook: boolean): Omit<AuditInput, 'resourceType' | 'resourceId' | 'resourceIds'> {
  return { action: 'dissemination.deliver', outcome: 'ALLOWED', details: { attempt, variant: d.variant, agencyCode: d.agency_code, webhook } };
}

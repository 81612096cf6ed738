import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditWriter } from '../audit/audit-writer';
import { type AuditInput, type GatedAuditInput, gatedEventsParam, insertGatedEvents } from '../audit/audit-writer';
import { preparedQuery } from '../common/prepared';
import { AppConfig } from '../config/app-config';
import { auditTrail, type DisseminationKind, type DisseminationStatus, type Variant } from '../outbox/dissemination.entity';
import type { InboxItem } from './inbox-item.entity';
import { postWebhook, type WebhookResult } from '../common/webhook';
import { WebhookPolicy } from '../config/webhook-policy';
import { eachOnFailure, GroupBatcher } from '../common/group-batcher';
import { systemContext } from '../access/request-context';

const WORKER_CTX = systemContext('worker');

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

/**
 * Locks the rows of the dissemination ids in `$1` in id order, as the relay does, so two statements that
 * share rows wait for each other instead of deadlocking.
 */
const LOCK_IN_ORDER = `lk AS (SELECT id FROM dissemination WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE)`;

/**
 * Statement 1 of many deliveries (arrays in `$1`–`$3`, events in `$4`): an open dissemination counts an
 * attempt, gets its inbox item (its id is the dissemination's, so a retry writes nothing) and its `send`
 * event; without a webhook it is also settled, with its `deliver` event. `p` is the statement's snapshot,
 * from before its own insert: the item as an earlier attempt wrote it. One fixed text, so it is prepared.
 */
const SEND = `WITH x AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::boolean[]) AS x(id, at, push)),
  ${LOCK_IN_ORDER},
  d AS (UPDATE dissemination t
           SET attempts = t.attempts + 1,
               status = CASE WHEN x.push THEN t.status ELSE 'DELIVERED' END,
               delivered_at = CASE WHEN x.push THEN t.delivered_at ELSE coalesce((SELECT delivered_at FROM inbox_item WHERE id = t.id), x.at) END,
               last_error = CASE WHEN x.push THEN t.last_error END
          FROM lk JOIN x ON x.id = lk.id
         WHERE t.id = lk.id AND t.${OPEN} AND t.content IS NOT NULL
     RETURNING t.id, t.agency_id, t.kind, t.assessment_id, t.variant, t.content, x.at),
  ev AS (${insertGatedEvents('$4', 'd')}),
  i AS (INSERT INTO inbox_item (id, agency_id, kind, assessment_id, variant, content, delivered_at)
        SELECT id, agency_id, kind, assessment_id, variant, content, at FROM d ORDER BY id
        ON CONFLICT (id) DO NOTHING RETURNING id)
SELECT d.id, i.id IS NOT NULL AS inserted, p.kind, p.assessment_id, p.variant, p.content, p.delivered_at
  FROM d LEFT JOIN i ON i.id = d.id LEFT JOIN inbox_item p ON p.id = d.id`;

/**
 * Statement 2 of many deliveries (arrays in `$1`–`$5`, events in `$6`): what each POST got. An answered
 * one settles its dissemination if still open (its `deliver` event only then); a failed one records the
 * error, and on the last allowed attempt marks it FAILED. The `attempt` event is always written, first.
 */
const SETTLE = `WITH x AS (SELECT * FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::text[], $5::boolean[]) AS x(id, ok, at, err, failed)),
  ${LOCK_IN_ORDER},
  u AS (UPDATE dissemination t
           SET status = CASE WHEN x.ok THEN 'DELIVERED' WHEN x.failed AND t.${OPEN} THEN 'FAILED' ELSE t.status END,
               delivered_at = CASE WHEN x.ok THEN x.at ELSE t.delivered_at END,
               last_error = CASE WHEN x.ok THEN NULL ELSE x.err END,
               failed_at = CASE WHEN NOT x.ok AND x.failed AND t.${OPEN} THEN now() ELSE t.failed_at END
          FROM lk JOIN x ON x.id = lk.id
         WHERE t.id = lk.id AND (NOT x.ok OR t.${OPEN})
     RETURNING t.id)
${insertGatedEvents('$6', 'u')}`;

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
 * 192. Each step is one fixed, set-based statement over arrays (prepared once per connection), so its
 * text and plan do not grow with the batch. A batched statement that fails is retried one delivery at
 * a time, so a bad row fails only its own delivery.
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
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
  ) {
    this.policy = new WebhookPolicy(config.WEBHOOK_ALLOWED_HOSTS);
  }

  async deliver(disseminationId: string, attempt: number): Promise<Outcome> {
    const d = await this.reads.call(disseminationId);
    if (!d || !['PENDING', 'QUEUED'].includes(d.status) || !d.content) return 'skipped';
    // An ADMIN_NOTICE goes to the inbox only: the notice of a webhook change must not go (only) to the endpoint it names.
    const push = d.webhook_url && d.webhook_secret && d.kind !== 'ADMIN_NOTICE' ? { url: d.webhook_url, secret: d.webhook_secret } : null;

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
    const rows = await preparedQuery<Target>(
      this.ds,
      `SELECT d.id, d.kind, d.assessment_id, d.threat_level_change_id, d.agency_id, d.agency_code, d.variant, d.status, d.content, a.webhook_url, a.webhook_secret
         FROM dissemination d JOIN agency a ON a.id = d.agency_id
        WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  /** Statement 1 ({@link SEND}) for many deliveries. Null for a delivery whose dissemination was no longer open. */
  private async sendMany(sends: Send[]): Promise<(Written | null)[]> {
    const events = sends.flatMap(({ d, attempt, push }): GatedAuditInput[] => {
      const event = trailEvents(d);
      const send = { forId: d.id, ifWritten: true, input: event({ action: 'dissemination.send', outcome: 'ALLOWED', details: { attempt, agencyCode: d.agency_code, webhook: push } }) };
      return push ? [send] : [send, { forId: d.id, ifWritten: true, input: event(deliverEvent(d, attempt, false)) }];
    });
    const rows = await preparedQuery<{ id: string } & Written>(this.ds, SEND, [
      sends.map((x) => x.d.id),
      sends.map((x) => x.deliveredAt),
      sends.map((x) => x.push),
      gatedEventsParam(WORKER_CTX, events),
    ]);
    const byId = new Map(rows.map(({ id, ...w }) => [id, w]));
    return sends.map((x) => byId.get(x.d.id.toLowerCase()) ?? null);
  }

  /** Statement 2 ({@link SETTLE}) for many deliveries. */
  private async settleMany(settles: Settle[]): Promise<true[]> {
    const events = settles.flatMap(({ d, attempt, result, failed }): GatedAuditInput[] => {
      const event = trailEvents(d);
      const attemptEvent = event({
        action: 'dissemination.attempt',
        outcome: result.ok ? 'ALLOWED' : 'FAILED',
        reason: result.error,
        details: { attempt, httpStatus: result.status, agencyCode: d.agency_code },
      });
      const out: GatedAuditInput[] = [{ forId: d.id, ifWritten: false, input: attemptEvent }];
      if (result.ok) out.push({ forId: d.id, ifWritten: true, input: event(deliverEvent(d, attempt, true)) });
      if (failed) out.push({ forId: d.id, ifWritten: false, input: event({ action: 'dissemination.fail', outcome: 'FAILED', reason: `webhook failed ${attempt} times: ${result.error}` }) });
      return out;
    });
    await preparedQuery(this.ds, SETTLE, [
      settles.map((x) => x.d.id),
      settles.map((x) => x.result.ok),
      settles.map((x) => x.deliveredAt),
      settles.map((x) => x.result.error),
      settles.map((x) => x.failed),
      gatedEventsParam(WORKER_CTX, events),
    ]);
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

import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditedStatement, type AuditInput, AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { auditTrail, type DisseminationKind, type DisseminationStatus, type Variant } from './dissemination.entity';
import type { InboxItem } from './inbox-item.entity';
import { postWebhook, WebhookPolicy } from './webhook';

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

/**
 * Delivers one dissemination (called by the queue processor in the worker; tests call it directly):
 * writes the agency's inbox item (once, whatever retries happen) and, where the agency has a webhook,
 * POSTs it signed per Standard Webhooks. Any 2xx = DELIVERED. A failed POST throws, so the queue
 * retries with backoff; the last allowed attempt marks the dissemination FAILED instead.
 *
 * Three round trips with a webhook (one read, one statement before the POST, one after), two without:
 * each write is a single statement (data-modifying CTEs), so it commits as one autocommit transaction.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly policy: WebhookPolicy;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {
    this.policy = new WebhookPolicy(config.WEBHOOK_ALLOWED_HOSTS);
  }

  async deliver(disseminationId: string, attempt: number): Promise<'delivered' | 'skipped' | 'failed'> {
    const [d] = await this.ds.query<Target[]>(
      `SELECT d.id, d.kind, d.assessment_id, d.threat_level_change_id, d.agency_id, d.agency_code, d.variant, d.status, d.content, a.webhook_url, a.webhook_secret
         FROM dissemination d JOIN agency a ON a.id = d.agency_id
        WHERE d.id = $1::uuid`,
      [disseminationId],
    );
    if (!d || !['PENDING', 'QUEUED'].includes(d.status) || !d.content) return 'skipped';
    const hasWebhook = Boolean(d.webhook_url);
    const push = d.webhook_url && d.webhook_secret ? { url: d.webhook_url, secret: d.webhook_secret } : null;
    const trail = auditTrail({ id: d.id, assessmentId: d.assessment_id, threatLevelChangeId: d.threat_level_change_id, agencyId: d.agency_id });
    const event = (input: Omit<AuditInput, keyof typeof trail>): AuditInput => ({ ...trail, ...input });
    const deliverEvent = event({ action: 'dissemination.deliver', outcome: 'ALLOWED', details: { attempt, variant: d.variant, agencyCode: d.agency_code, webhook: hasWebhook } });

    // Statement 1, committed before anything leaves (so even a worker killed mid-POST leaves a trace of
    // the send): the attempt, its audit and the inbox item. Without a webhook it also settles it.
    // Only an open dissemination counts an attempt; the inbox item's id is the dissemination's, so a
    // retry writes nothing and finds the item as the first attempt wrote it (`p`: the statement's
    // snapshot, from before its own insert). `deliver` reads from `send` so the two events chain in order.
    const deliveredAt = new Date();
    const one = new AuditedStatement(WORKER_CTX, [disseminationId, deliveredAt]);
    const settle = push ? '' : `, status = 'DELIVERED', delivered_at = coalesce((SELECT delivered_at FROM inbox_item WHERE id = $1::uuid), $2::timestamptz), last_error = NULL`;
    const sendCte = one.audit(event({ action: 'dissemination.send', outcome: 'ALLOWED', details: { attempt, agencyCode: d.agency_code, webhook: hasWebhook } }), 'd');
    const deliverCte = push ? '' : `, deliver AS (${one.audit(deliverEvent, 'send')})`;
    const [written] = await this.ds.query<({ inserted: boolean } & Partial<PriorItem>)[]>(
      `WITH d AS (UPDATE dissemination SET attempts = attempts + 1${settle}
                   WHERE id = $1::uuid AND ${OPEN} AND content IS NOT NULL
               RETURNING id, agency_id, kind, assessment_id, variant, content),
            send AS (${sendCte} RETURNING 1),
            i AS (INSERT INTO inbox_item (id, agency_id, kind, assessment_id, variant, content, delivered_at)
                  SELECT id, agency_id, kind, assessment_id, variant, content, $2::timestamptz FROM d
                  ON CONFLICT (id) DO NOTHING RETURNING id)${deliverCte}
       SELECT i.id IS NOT NULL AS inserted, p.kind, p.assessment_id, p.variant, p.content, p.delivered_at
         FROM d LEFT JOIN i ON true LEFT JOIN inbox_item p ON p.id = d.id`,
      one.params,
    );
    if (!written) return 'skipped'; // settled (or being delivered) since the read: nothing written
    this.audit.chainSoon();
    if (!push) return 'delivered';

    const item: InboxBody = written.inserted
      ? { id: d.id, kind: d.kind, assessmentId: d.assessment_id, variant: d.variant, content: d.content, deliveredAt }
      : await this.priorItem(d.id, written);
    const result = await postWebhook(this.policy, push.url, push.secret, d.id, JSON.stringify(inboxPayload(item)));

    // Statement 2: what the POST got, and the dissemination's new state. The attempt is audited first
    // (the deliver/fail event reads from it); `deliver` only when this statement settled it.
    const two = new AuditedStatement(WORKER_CTX, [d.id]);
    const attemptCte = `att AS (${two.audit(
      event({ action: 'dissemination.attempt', outcome: result.ok ? 'ALLOWED' : 'FAILED', reason: result.error, details: { attempt, httpStatus: result.status, agencyCode: d.agency_code } }),
      '(SELECT 1) AS one',
    )} RETURNING 1)`;
    let outcome: 'delivered' | 'retry' | 'failed';
    let sql: string;
    if (result.ok) {
      outcome = 'delivered';
      sql = `WITH u AS (UPDATE dissemination SET status = 'DELIVERED', delivered_at = ${two.param(item.deliveredAt, 'timestamptz')}, last_error = NULL
                         WHERE id = $1::uuid AND ${OPEN} RETURNING 1),
                  ${attemptCte},
                  deliver AS (${two.audit(deliverEvent, 'u, att')})
             SELECT 1`;
    } else {
      outcome = attempt < this.config.DISSEMINATION_MAX_ATTEMPTS ? 'retry' : 'failed';
      const fail =
        outcome === 'failed'
          ? `, status = CASE WHEN ${OPEN} THEN 'FAILED' ELSE status END, failed_at = CASE WHEN ${OPEN} THEN now() ELSE failed_at END`
          : '';
      const failCte =
        outcome === 'failed'
          ? `, fail AS (${two.audit(event({ action: 'dissemination.fail', outcome: 'FAILED', reason: `webhook failed ${attempt} times: ${result.error}` }), 'att')})`
          : '';
      sql = `WITH u AS (UPDATE dissemination SET last_error = ${two.param(result.error, 'text')}${fail} WHERE id = $1::uuid),
                  ${attemptCte}${failCte}
             SELECT 1`;
    }
    await this.ds.query(sql, two.params);
    this.audit.chainSoon();
    // Thrown after the commit, so the queue retries it with backoff.
    if (outcome === 'retry') throw new DeliveryFailed(`webhook to ${d.agency_code} failed: ${result.error}`);
    return outcome;
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

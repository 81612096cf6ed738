import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { auditTrail, Dissemination } from './dissemination.entity';
import { InboxItem } from './inbox-item.entity';
import { postWebhook, WebhookPolicy } from './webhook';

const WORKER_CTX = { requestId: 'worker', ip: '127.0.0.1', principal: null };

export class DeliveryFailed extends Error {}

/** The body of an inbox item and of its webhook: the same on every attempt. */
export function inboxPayload(item: InboxItem) {
  return {
    id: item.id,
    kind: item.kind,
    assessmentId: item.assessmentId,
    variant: item.variant,
    content: item.content,
    deliveredAt: item.deliveredAt.toISOString(),
  };
}

/**
 * Delivers one dissemination (called by the queue processor in the worker; tests call it directly):
 * writes the agency's inbox item (once, whatever retries happen) and, where the agency has a webhook,
 * POSTs it signed per Standard Webhooks. Any 2xx = DELIVERED. A failed POST throws, so the queue
 * retries with backoff; the last allowed attempt marks the dissemination FAILED instead.
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
    // One read: the dissemination and where its agency wants it pushed.
    const {
      entities: [d],
      raw: [target],
    } = await this.ds
      .getRepository(Dissemination)
      .createQueryBuilder('d')
      .innerJoin(Agency, 'a', 'a.id = d.agency_id')
      .addSelect('a.webhook_url', 'webhook_url')
      .addSelect('a.webhook_secret', 'webhook_secret')
      .where('d.id = :id', { id: disseminationId })
      .getRawAndEntities<{ webhook_url: string | null; webhook_secret: string | null }>();
    if (!d || !['PENDING', 'QUEUED'].includes(d.status) || !d.content) return 'skipped';
    const content = d.content;
    const hasWebhook = Boolean(target.webhook_url);
    const push = target.webhook_url && target.webhook_secret ? { url: target.webhook_url, secret: target.webhook_secret } : null;
    const trail = auditTrail(d);

    // Transaction 1: the attempt, its audit and the inbox item — committed before anything leaves, so
    // even a worker killed mid-POST leaves a trace of the send. Without a webhook it also settles it.
    const item = await this.ds.transaction(async (m) => {
      await m.increment(Dissemination, { id: d.id }, 'attempts', 1);
      await this.audit.record(WORKER_CTX, { ...trail, action: 'dissemination.send', outcome: 'ALLOWED', details: { attempt, agencyCode: d.agencyCode, webhook: hasWebhook } }, m);
      const stored = await this.writeInboxItem(m, d, content);
      if (!push) await this.markDelivered(m, d, stored, attempt, hasWebhook);
      return stored;
    });
    if (!push) return 'delivered';

    const result = await postWebhook(this.policy, push.url, push.secret, d.id, JSON.stringify(inboxPayload(item)));

    // Transaction 2: what the POST got, and the dissemination's new state.
    const outcome = await this.ds.transaction(async (m) => {
      await this.audit.record(
        WORKER_CTX,
        { ...trail, action: 'dissemination.attempt', outcome: result.ok ? 'ALLOWED' : 'FAILED', reason: result.error, details: { attempt, httpStatus: result.status, agencyCode: d.agencyCode } },
        m,
      );
      if (result.ok) {
        await this.markDelivered(m, d, item, attempt, hasWebhook);
        return 'delivered' as const;
      }
      await m.update(Dissemination, { id: d.id }, { lastError: result.error });
      if (attempt < this.config.DISSEMINATION_MAX_ATTEMPTS) return 'retry' as const;
      await m.update(Dissemination, { id: d.id, status: In(['PENDING', 'QUEUED']) }, { status: 'FAILED', failedAt: new Date() });
      await this.audit.record(WORKER_CTX, { ...trail, action: 'dissemination.fail', outcome: 'FAILED', reason: `webhook failed ${attempt} times: ${result.error}` }, m);
      return 'failed' as const;
    });
    // Thrown after the commit, so the queue retries it with backoff.
    if (outcome === 'retry') throw new DeliveryFailed(`webhook to ${d.agencyCode} failed: ${result.error}`);
    return outcome;
  }

  /** The agency's inbox item: written once (id = dissemination id), read back as it is on a retry. */
  private async writeInboxItem(m: EntityManager, d: Dissemination, content: Record<string, unknown>): Promise<InboxItem> {
    const item = m.create(InboxItem, {
      id: d.id,
      agencyId: d.agencyId,
      kind: d.kind,
      assessmentId: d.assessmentId,
      variant: d.variant,
      content,
      deliveredAt: new Date(),
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
    const inserted = await m.createQueryBuilder().insert().into(InboxItem).values({ ...item, content: item.content as object }).orIgnore().returning(['id']).execute();
    return (inserted.raw as unknown[]).length > 0 ? item : m.findOneByOrFail(InboxItem, { id: d.id });
  }

  private async markDelivered(m: EntityManager, d: Dissemination, item: InboxItem, attempt: number, hasWebhook: boolean): Promise<void> {
    const res = await m.update(Dissemination, { id: d.id, status: In(['PENDING', 'QUEUED']) }, { status: 'DELIVERED', deliveredAt: item.deliveredAt, lastError: null });
    if (res.affected) {
      await this.audit.record(
        WORKER_CTX,
        { ...auditTrail(d), action: 'dissemination.deliver', outcome: 'ALLOWED', details: { attempt, variant: d.variant, agencyCode: d.agencyCode, webhook: hasWebhook } },
        m,
      );
    }
  }
}

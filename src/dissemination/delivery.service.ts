import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { Dissemination } from './dissemination.entity';
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
    const d = await this.ds.getRepository(Dissemination).findOneBy({ id: disseminationId });
    if (!d || !['PENDING', 'QUEUED'].includes(d.status) || !d.content) return 'skipped';
    const agency = await this.ds
      .getRepository(Agency)
      .createQueryBuilder('a')
      .addSelect('a.webhookSecret')
      .where('a.id = :id', { id: d.agencyId })
      .getOneOrFail();

    const subject = d.assessmentId ?? d.threatLevelChangeId ?? '';
    const trail = { resourceType: 'Dissemination', resourceId: d.id, resourceIds: [subject, d.agencyId].filter(Boolean) };
    const item = await this.ds.transaction(async (m) => {
      await m.increment(Dissemination, { id: d.id }, 'attempts', 1);
      // Recorded before anything leaves, so even a worker killed mid-POST leaves a trace of the send.
      await this.audit.record(
        WORKER_CTX,
        { ...trail, action: 'dissemination.send', outcome: 'ALLOWED', details: { attempt, agencyCode: d.agencyCode, webhook: Boolean(agency.webhookUrl) } },
        m,
      );
      await m
        .createQueryBuilder()
        .insert()
        .into(InboxItem)
        .values({ id: d.id, agencyId: d.agencyId, kind: d.kind, assessmentId: d.assessmentId, variant: d.variant, content: d.content as object, deliveredAt: new Date() })
        .orIgnore()
        .execute();
      return m.findOneByOrFail(InboxItem, { id: d.id });
    });

    if (agency.webhookUrl && agency.webhookSecret) {
      const result = await postWebhook(this.policy, agency.webhookUrl, agency.webhookSecret, d.id, JSON.stringify(inboxPayload(item)));
      await this.audit.record(WORKER_CTX, {
        ...trail,
        action: 'dissemination.attempt',
        outcome: result.ok ? 'ALLOWED' : 'FAILED',
        reason: result.error,
        details: { attempt, httpStatus: result.status, agencyCode: d.agencyCode },
      });
      if (!result.ok) {
        await this.ds.getRepository(Dissemination).update({ id: d.id }, { lastError: result.error });
        if (attempt >= this.config.DISSEMINATION_MAX_ATTEMPTS) {
          await this.ds.transaction(async (m) => {
            await m.update(Dissemination, { id: d.id, status: In(['PENDING', 'QUEUED']) }, { status: 'FAILED', failedAt: new Date() });
            await this.audit.record(WORKER_CTX, { ...trail, action: 'dissemination.fail', outcome: 'FAILED', reason: `webhook failed ${attempt} times: ${result.error}` }, m);
          });
          return 'failed';
        }
        throw new DeliveryFailed(`webhook to ${d.agencyCode} failed: ${result.error}`);
      }
    }
    await this.ds.transaction(async (m) => {
      const res = await m.update(Dissemination, { id: d.id, status: In(['PENDING', 'QUEUED']) }, { status: 'DELIVERED', deliveredAt: item.deliveredAt, lastError: null });
      if (res.affected) {
        await this.audit.record(
          WORKER_CTX,
          { ...trail, action: 'dissemination.deliver', outcome: 'ALLOWED', details: { attempt, variant: d.variant, agencyCode: d.agencyCode, webhook: Boolean(agency.webhookUrl) } },
          m,
        );
      }
    });
    return 'delivered';
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { systemContext } from '../access/request-context';
import { AppConfig } from '../config/app-config';
import { postWebhook, type WebhookResult } from '../common/webhook';
import { WebhookPolicy } from '../config/webhook-policy';
import { AuditReceiptService, type HeadReceipt } from './audit-receipt.service';
import { AuditWriter } from './audit-writer';

const ANCHOR_CTX = systemContext('audit-anchor');

/** What an anchoring did: the receipt posted, and how the witness answered. */
export interface AnchorResult extends WebhookResult {
  receipt: HeadReceipt;
}

/**
 * Posts a signed head receipt to AUDIT_ANCHOR_URL (a witness outside the cell), signed per Standard
 * Webhooks with AUDIT_ANCHOR_SECRET, through the webhooks' SSRF policy (WEBHOOK_ALLOWED_HOSTS). Body:
 * `{type: "audit.head", timestamp, data: receipt}`. Each anchoring is itself an audit event.
 */
@Injectable()
export class AuditAnchorService {
  private readonly logger = new Logger(AuditAnchorService.name);
  private readonly policy: WebhookPolicy;

  constructor(
    private readonly config: AppConfig,
    private readonly receipts: AuditReceiptService,
    private readonly audit: AuditWriter,
  ) {
    this.policy = new WebhookPolicy(config.WEBHOOK_ALLOWED_HOSTS);
  }

  get enabled(): boolean {
    return Boolean(this.config.AUDIT_ANCHOR_URL && this.config.AUDIT_ANCHOR_SECRET);
  }

  async anchor(): Promise<AnchorResult | null> {
    const url = this.config.AUDIT_ANCHOR_URL;
    const secret = this.config.AUDIT_ANCHOR_SECRET;
    if (!url || !secret) return null;
    const receipt = await this.receipts.head();
    const body = JSON.stringify({ type: 'audit.head', timestamp: new Date().toISOString(), data: receipt });
    const result = await postWebhook(this.policy, url, secret, `msg_anchor_${randomUUID()}`, body);
    await this.audit.record(ANCHOR_CTX, {
      action: 'audit.anchor',
      resourceType: 'AuditEvent',
      resourceId: String(receipt.seq),
      outcome: result.ok ? 'ALLOWED' : 'FAILED',
      reason: result.error,
      details: { seq: receipt.seq, hash: receipt.hash, keyId: receipt.keyId, status: result.status },
    });
    if (result.ok) this.logger.log({ seq: receipt.seq, keyId: receipt.keyId }, 'audit head anchored');
    else this.logger.warn({ seq: receipt.seq, status: result.status, error: result.error }, 'audit head anchoring failed');
    return { ...result, receipt };
  }
}

import type { AgencyRef, Fixtures } from './agencies-and-users';
import { OwnDatabase } from './own-database';
import { WebhookReceiver } from './webhook-receiver';

/**
 * What a dissemination suite runs in: a database and queue prefix of its own (so no other suite's
 * deliveries reach its receiver, nor its jobs another suite's worker), and a local webhook receiver the
 * API may deliver to (WEBHOOK_ALLOWED_HOSTS=127.0.0.1).
 */
export class DeliveryEnv extends OwnDatabase {
  readonly receiver = new WebhookReceiver();

  override async start(env: Record<string, string> = {}): Promise<void> {
    await this.receiver.start();
    await super.start({ ...env, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  }

  override async stop(opts?: { queueKeys?: boolean }): Promise<void> {
    await this.receiver.stop();
    await super.stop(opts);
  }

  /** Points `agency`'s webhook at `path` of the receiver, approved by the second ADMIN (SPEC S1 four eyes). */
  async hook(fx: Fixtures, agency: AgencyRef, path: string, secret?: string): Promise<void> {
    const res = await fx.webhook(agency.id, { url: this.receiver.url(path), ...(secret ? { secret } : {}) });
    if (res.status !== 200) throw new Error(`webhook of ${agency.code} → ${res.status} ${res.text}`);
  }
}

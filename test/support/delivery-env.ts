import type { AgencyRef, Fixtures } from './agencies-and-users';
import { dropQueueKeys } from './queue-keys';
import { createMigratedDatabase, dropDatabase } from './test-database';
import { WebhookReceiver } from './webhook-receiver';

/**
 * What a dissemination suite runs in: a database and queue prefix of its own (so no other suite's
 * deliveries reach its receiver, nor its jobs another suite's worker), and a local webhook receiver the
 * API may deliver to (WEBHOOK_ALLOWED_HOSTS=127.0.0.1). `start` sets process.env before the app starts;
 * `stop` removes the database and the queue keys again.
 */
export class DeliveryEnv {
  readonly receiver = new WebhookReceiver();
  private readonly dbName: string;
  private queuePrefix?: string;

  /** `tag` names the database and queue prefix (e.g. 'dissem' → fusion_dissem_…, fusiontest-dissem-…). */
  constructor(private readonly tag: string) {
    this.dbName = `fusion_${tag}_${Date.now()}_${process.pid}`;
  }

  /** `env` is set too (e.g. REDIS_URL of a private redis-server). */
  async start(env: Record<string, string> = {}): Promise<void> {
    await this.receiver.start();
    process.env.DATABASE_URL = await createMigratedDatabase(this.dbName);
    this.queuePrefix = `fusiontest-${this.tag}-${process.pid}-${Date.now()}`;
    Object.assign(process.env, env, { QUEUE_PREFIX: this.queuePrefix, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  }

  /** After the app and workers are closed. `queueKeys: false` where the Redis they live in is gone already. */
  async stop({ queueKeys = true } = {}): Promise<void> {
    await this.receiver.stop();
    await dropDatabase(this.dbName);
    if (queueKeys && this.queuePrefix) await dropQueueKeys(this.queuePrefix);
  }

  /** Points `agency`'s webhook at `path` of the receiver, approved by the second ADMIN (SPEC S1 four eyes). */
  async hook(fx: Fixtures, agency: AgencyRef, path: string, secret?: string): Promise<void> {
    const res = await fx.webhook(agency.id, { url: this.receiver.url(path), ...(secret ? { secret } : {}) });
    if (res.status !== 200) throw new Error(`webhook of ${agency.code} → ${res.status} ${res.text}`);
  }
}

import { dropQueueKeys } from './queue-keys';
import { createMigratedDatabase, dropDatabase } from './test-database';

/**
 * A database and a queue prefix of one suite's own, for suites whose data would disturb the others on
 * the shared database (or theirs). `start` sets DATABASE_URL and QUEUE_PREFIX before the app starts;
 * `stop`, after the app and workers are closed, drops the database and the queue keys.
 */
export class OwnDatabase {
  private readonly dbName: string;
  private queuePrefix?: string;

  /** `tag` names both (e.g. 'dissem' → database fusion_dissem_…, queue prefix fusiontest-dissem-…). */
  constructor(private readonly tag: string) {
    this.dbName = `fusion_${tag}_${Date.now()}_${process.pid}`;
  }

  /** `env` is set too (e.g. REDIS_URL of a private redis-server). */
  async start(env: Record<string, string> = {}): Promise<void> {
    process.env.DATABASE_URL = await createMigratedDatabase(this.dbName);
    this.queuePrefix = `fusiontest-${this.tag}-${process.pid}-${Date.now()}`;
    Object.assign(process.env, env, { QUEUE_PREFIX: this.queuePrefix });
  }

  /** `queueKeys: false` where the Redis they lived in is gone already. */
  async stop({ queueKeys = true } = {}): Promise<void> {
    await dropDatabase(this.dbName);
    if (queueKeys && this.queuePrefix) await dropQueueKeys(this.queuePrefix);
  }
}

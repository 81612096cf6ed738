import { Redis } from 'ioredis';
import { dropDatabase } from './support/db';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.FUSION_TEST_DB;
  if (name && !process.env.KEEP_TEST_DB) await dropDatabase(name);
  const prefix = process.env.QUEUE_PREFIX;
  if (prefix?.startsWith('fusiontest-')) {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      /* Redis is not essential to tidy up */
    } finally {
      redis.disconnect();
    }
  }
}

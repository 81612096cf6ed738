import { Redis } from 'ioredis';

/** Deletes every Redis key of a queue prefix (`<prefix>:*`). Never throws: Redis is not essential to tidying up. */
export async function dropQueueKeys(prefix: string): Promise<void> {
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

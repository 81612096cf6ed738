import type { QueueOptions } from 'bullmq';
import type { AppConfig } from '../config/app-config';

export const DISSEMINATION_QUEUE = 'dissemination';
export const RETENTION_QUEUE = 'retention';
export const AUDIT_ANCHOR_QUEUE = 'audit-anchor';

/** Every job of every queue, by name, with its payload: the one typed map (STYLE rule 5). */
export interface JobMap {
  deliver: { disseminationId: string };
  purge: Record<string, never>;
  anchor: Record<string, never>;
}
export type JobName = keyof JobMap;

/**
 * Producers (the API) fail fast when Redis is down — no offline queue, one retry — so a Redis outage
 * never holds up a request; the outbox relay catches up later.
 */
export function producerQueueOptions(config: AppConfig): QueueOptions {
  return {
    prefix: config.QUEUE_PREFIX,
    connection: { url: config.REDIS_URL, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 },
  };
}

/** Workers block on Redis and wait through outages (BullMQ requires maxRetriesPerRequest: null). */
export function workerQueueOptions(config: AppConfig): QueueOptions {
  return { prefix: config.QUEUE_PREFIX, connection: { url: config.REDIS_URL, maxRetriesPerRequest: null } };
}

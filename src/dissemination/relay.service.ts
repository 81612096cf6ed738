import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { Dissemination } from './dissemination.entity';
import { DISSEMINATION_QUEUE, type JobMap } from '../common/queues';

const SWEEP_INTERVAL_MS = 5000;
const SWEEP_BATCH = 500;
const RELAY_CTX = { requestId: 'relay', ip: '127.0.0.1', principal: null };

/** BullMQ job options for a delivery: retries with exponential backoff, bounded history. */
export function deliveryJobOptions(config: AppConfig, id: string) {
  return {
    jobId: id,
    attempts: config.DISSEMINATION_MAX_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: config.DISSEMINATION_BACKOFF_MS },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
  };
}

/**
 * Moves the outbox into the queue. Redis is not the system of record: every dissemination not yet
 * delivered (PENDING, or QUEUED without a job — Redis lost it) is (re-)enqueued, with job id =
 * dissemination id so a job is never queued twice. Runs right after each publication and every five
 * seconds; a Redis outage only delays it.
 */
@Injectable()
export class RelayService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RelayService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private redisDownSince: number | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(DISSEMINATION_QUEUE) private readonly queue: Queue<JobMap['deliver']>,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.kick(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Schedules a sweep (coalescing concurrent requests). Never throws. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sweep()
      .then(() => undefined)
      .catch((err: unknown) => this.redisDown(err))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One pass over the open outbox. Returns how many jobs it added. */
  async sweep(): Promise<number> {
    const open = await this.ds.getRepository(Dissemination).find({
      select: { id: true, status: true, queuedAt: true },
      where: [{ status: 'PENDING' }, { status: 'QUEUED' }],
      order: { createdAt: 'ASC' },
      take: SWEEP_BATCH,
    });
    let added = 0;
    for (const d of open) {
      if (d.status === 'QUEUED') {
        const job = await this.queue.getJob(d.id);
        if (job && !(await job.isFailed())) continue;
        if (job && d.queuedAt && (job.finishedOn ?? 0) >= d.queuedAt.getTime()) {
          // The job failed for good since it was queued (e.g. it crashed workers too often): the
          // dissemination is FAILED, not retried for ever; a redrive queues it again.
          await this.markFailed(d.id, job.failedReason || 'job failed');
          continue;
        }
        // A failed job from before a redrive made while Redis was down: replace it.
        if (job) await job.remove();
      }
      await this.queue.add('deliver', { disseminationId: d.id }, deliveryJobOptions(this.config, d.id));
      added += 1;
      if (d.status === 'PENDING') {
        const res = await this.ds
          .createQueryBuilder()
          .update(Dissemination)
          .set({ status: 'QUEUED', queuedAt: () => 'now()' })
          .where('id = :id AND status = :status', { id: d.id, status: 'PENDING' })
          .execute();
        if (res.affected) {
          await this.audit.record(RELAY_CTX, { action: 'dissemination.queue', resourceType: 'Dissemination', resourceId: d.id, outcome: 'ALLOWED' });
        }
      } else {
        await this.audit.record(RELAY_CTX, { action: 'dissemination.requeue', resourceType: 'Dissemination', resourceId: d.id, outcome: 'ALLOWED', reason: 'no job in the queue (Redis lost it or was down)' });
      }
    }
    if (added && this.redisDownSince) {
      this.logger.log('Redis is back; the relay caught up');
      this.redisDownSince = null;
    }
    return added;
  }

  private async markFailed(id: string, reason: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const res = await m.update(Dissemination, { id, status: 'QUEUED' }, { status: 'FAILED', failedAt: new Date(), lastError: reason });
      if (res.affected) {
        await this.audit.record(RELAY_CTX, { action: 'dissemination.fail', resourceType: 'Dissemination', resourceId: id, outcome: 'FAILED', reason }, m);
      }
    });
  }

  private redisDown(err: unknown): void {
    if (!this.redisDownSince) {
      this.redisDownSince = Date.now();
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'queue unavailable; disseminations stay in the outbox until it returns');
    }
  }
}

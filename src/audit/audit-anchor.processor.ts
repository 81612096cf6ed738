import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AUDIT_ANCHOR_QUEUE } from '../common/queues';
import { AppConfig } from '../config/app-config';
import { AuditAnchorService } from './audit-anchor.service';

export const ANCHOR_SCHEDULER = 'audit-anchor';

/**
 * Every AUDIT_ANCHOR_INTERVAL_SECONDS, whatever the number of workers: a BullMQ job scheduler (one
 * schedule, one job per tick), as retention does. Without AUDIT_ANCHOR_URL the schedule is removed.
 */
@Processor(AUDIT_ANCHOR_QUEUE, { concurrency: 1 })
export class AuditAnchorProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditAnchorProcessor.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly anchors: AuditAnchorService,
    private readonly config: AppConfig,
    @InjectQueue(AUDIT_ANCHOR_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.schedule();
    // Upserting is idempotent: doing it every ten minutes restores the schedule if Redis lost it.
    this.timer = setInterval(() => void this.schedule(), 10 * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async schedule(): Promise<void> {
    try {
      if (!this.anchors.enabled) {
        await this.queue.removeJobScheduler(ANCHOR_SCHEDULER);
        return;
      }
      await this.queue.upsertJobScheduler(
        ANCHOR_SCHEDULER,
        { every: this.config.AUDIT_ANCHOR_INTERVAL_SECONDS * 1000 },
        { name: 'anchor', opts: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: 100, removeOnFail: 100 } },
      );
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not schedule audit anchoring (Redis down?); will retry');
    }
  }

  async process(_job: Job): Promise<number | null> {
    const result = await this.anchors.anchor();
    // A refused or unreachable witness fails the job, so BullMQ retries it (and the next tick anchors anew).
    if (result && !result.ok) throw new Error(`audit anchor not accepted: ${result.error ?? 'unknown'}`);
    return result?.receipt.seq ?? null;
  }
}

import { InjectQueue, Processor } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { AUDIT_ANCHOR_QUEUE } from '../common/queues';
import { ScheduledWorkerHost } from '../common/scheduled-worker-host';
import { AppConfig } from '../config/app-config';
import { AuditAnchorService } from './audit-anchor.service';

export const ANCHOR_SCHEDULER = 'audit-anchor';

/**
 * Every AUDIT_ANCHOR_INTERVAL_SECONDS, whatever the number of workers: a BullMQ job scheduler (one
 * schedule, one job per tick), as retention does. Without AUDIT_ANCHOR_URL the schedule is removed.
 */
@Processor(AUDIT_ANCHOR_QUEUE, { concurrency: 1 })
export class AuditAnchorProcessor extends ScheduledWorkerHost {
  constructor(
    private readonly anchors: AuditAnchorService,
    private readonly config: AppConfig,
    @InjectQueue(AUDIT_ANCHOR_QUEUE) queue: Queue,
  ) {
    super(queue, 'audit anchoring');
  }

  protected upsertSchedule(queue: Queue) {
    if (!this.anchors.enabled) return queue.removeJobScheduler(ANCHOR_SCHEDULER);
    return queue.upsertJobScheduler(
      ANCHOR_SCHEDULER,
      { every: this.config.AUDIT_ANCHOR_INTERVAL_SECONDS * 1000 },
      { name: 'anchor', opts: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async process(_job: Job): Promise<number | null> {
    const result = await this.anchors.anchor();
    // A refused or unreachable witness fails the job, so BullMQ retries it (and the next tick anchors anew).
    if (result && !result.ok) throw new Error(`audit anchor not accepted: ${result.error ?? 'unknown'}`);
    return result?.receipt.seq ?? null;
  }
}

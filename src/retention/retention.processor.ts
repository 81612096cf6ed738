import { InjectQueue, Processor } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { RETENTION_QUEUE } from '../common/queues';
import { ScheduledWorkerHost } from '../common/scheduled-worker-host';
import { RetentionService } from './retention.service';

/** Once an hour, whatever the number of workers: a BullMQ job scheduler (one schedule, one job per tick). */
export const RETENTION_EVERY_MS = 60 * 60 * 1000;

@Processor(RETENTION_QUEUE, { concurrency: 1 })
export class RetentionProcessor extends ScheduledWorkerHost {
  constructor(
    private readonly retention: RetentionService,
    @InjectQueue(RETENTION_QUEUE) queue: Queue,
  ) {
    super(queue, 'retention');
  }

  protected upsertSchedule(queue: Queue) {
    return queue.upsertJobScheduler('retention-purge', { every: RETENTION_EVERY_MS }, { name: 'purge', opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  async process(_job: Job): Promise<number> {
    return (await this.retention.purgeDue()).length;
  }
}

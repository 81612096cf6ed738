import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { RETENTION_QUEUE } from '../common/queues';
import { RetentionService } from './retention.service';

/** Once an hour, whatever the number of workers: a BullMQ job scheduler (one schedule, one job per tick). */
export const RETENTION_EVERY_MS = 60 * 60 * 1000;

@Processor(RETENTION_QUEUE, { concurrency: 1 })
export class RetentionProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionProcessor.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly retention: RetentionService,
    @InjectQueue(RETENTION_QUEUE) private readonly queue: Queue,
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
      await this.queue.upsertJobScheduler('retention-purge', { every: RETENTION_EVERY_MS }, { name: 'purge', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not schedule retention (Redis down?); will retry');
    }
  }

  async process(_job: Job): Promise<number> {
    return (await this.retention.purgeDue()).length;
  }
}

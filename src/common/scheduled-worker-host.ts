import { WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';

/**
 * A queue processor whose jobs come from a BullMQ job scheduler (one schedule, one job per tick,
 * whatever the number of workers). The schedule is upserted at start and again every ten minutes —
 * upserting is idempotent, so that restores it if Redis lost it; while Redis is down it only warns.
 */
export abstract class ScheduledWorkerHost extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly scheduleLogger = new Logger(this.constructor.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly scheduledQueue: Queue,
    private readonly what: string,
  ) {
    super();
  }

  /** Upserts (or removes) this processor's job scheduler on `queue`. */
  protected abstract upsertSchedule(queue: Queue): Promise<unknown>;

  async onApplicationBootstrap(): Promise<void> {
    await this.schedule();
    this.timer = setInterval(() => void this.schedule(), 10 * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async schedule(): Promise<void> {
    try {
      await this.upsertSchedule(this.scheduledQueue);
    } catch (err) {
      this.scheduleLogger.warn({ err: err instanceof Error ? err.message : String(err) }, `could not schedule ${this.what} (Redis down?); will retry`);
    }
  }
}

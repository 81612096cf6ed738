import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import { DISSEMINATION_QUEUE } from '../common/queues';

/** Depth of the dissemination queue (waiting, active, delayed, failed), for dashboards and alerts. */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    @InjectQueue(DISSEMINATION_QUEUE) private readonly queue: Queue,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string) {
    const indicator = this.indicator.check(key);
    try {
      const counts = await Promise.race([
        this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref()),
      ]);
      return indicator.up(counts);
    } catch (err) {
      return indicator.down({ message: err instanceof Error ? err.message : 'unavailable' });
    }
  }
}

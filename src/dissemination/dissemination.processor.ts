import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DeliveryService } from './delivery.service';
import { DISSEMINATION_QUEUE, type JobMap } from '../common/queues';
import { AppConfig } from '../config/app-config';

// A delivery takes at most the webhook timeout (10 s): a 15 s lock (renewed while it runs) and a 5 s
// stalled check let another worker take over a killed worker's job within about 20 s. The concurrency
// is DELIVERY_CONCURRENCY, set once the worker exists (a decorator cannot read the configuration).
/** Consumes delivery jobs. Lives only in the worker process (src/worker.ts). */
@Processor(DISSEMINATION_QUEUE, { concurrency: 1, maxStalledCount: 3, lockDuration: 15_000, stalledInterval: 5_000 })
export class DisseminationProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(DisseminationProcessor.name);

  constructor(
    private readonly delivery: DeliveryService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.DELIVERY_CONCURRENCY;
  }

  async process(job: Job<JobMap['deliver']>): Promise<string> {
    // attemptsMade counts earlier failed attempts of this job; this is attempt attemptsMade + 1.
    const outcome = await this.delivery.deliver(job.data.disseminationId, job.attemptsMade + 1);
    this.logger.debug({ id: job.id, outcome }, 'dissemination processed');
    return outcome;
  }
}

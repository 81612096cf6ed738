import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { DISSEMINATION_QUEUE, RETENTION_QUEUE } from './queues';

/**
 * Listens to every registered queue's connection errors and logs an outage once (then once a
 * minute), instead of BullMQ printing a stack trace for every reconnect attempt.
 */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private lastLogged = 0;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    for (const name of [DISSEMINATION_QUEUE, RETENTION_QUEUE]) {
      let queue: Queue | undefined;
      try {
        queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      } catch {
        continue; // not registered in this process
      }
      queue.on('error', (err: Error) => {
        if (Date.now() - this.lastLogged < 60_000) return;
        this.lastLogged = Date.now();
        this.logger.warn({ queue: name, err: err.message }, 'Redis unavailable; queue work waits for it');
      });
    }
  }
}

import { getQueueToken } from '@nestjs/bullmq';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { RETENTION_QUEUE } from '../src/common/queues';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditWriter } from '../src/audit/audit-writer';
import { AuditService } from '../src/audit/audit.service';
import { AppConfig } from '../src/config/app-config';
import { DisseminationProcessor } from '../src/dissemination/dissemination.processor';
import { WorkerModule } from '../src/worker.module';

describe('worker process', () => {
  it('starts without HTTP, runs DELIVERY_CONCURRENCY deliveries at once, chains pending audit events, schedules retention, and stops cleanly', async () => {
    const previous = process.env.DELIVERY_CONCURRENCY;
    process.env.DELIVERY_CONCURRENCY = '37';
    const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    await app.init();
    if (previous === undefined) delete process.env.DELIVERY_CONCURRENCY;
    else process.env.DELIVERY_CONCURRENCY = previous;
    expect(app.get(AppConfig).DELIVERY_CONCURRENCY).toBe(37);
    expect(app.get(DisseminationProcessor).worker.concurrency).toBe(37);
    const ds = app.get<DataSource>(getDataSourceToken());
    await app.get(AuditWriter).record({ requestId: 'worker-test', ip: '127.0.0.1', principal: null }, { action: 'system.test', outcome: 'ALLOWED' });
    await app.get(AuditService).flush();
    const rows = await ds.query(`SELECT seq FROM audit_event WHERE request_id = 'worker-test'`);
    expect(rows).toHaveLength(1);
    // The retention purge is scheduled once (a job scheduler), however many workers start.
    const retention = app.get<Queue>(getQueueToken(RETENTION_QUEUE));
    const scheduler = await retention.getJobScheduler('retention-purge');
    expect(scheduler).toMatchObject({ key: 'retention-purge', every: 3_600_000 });
    await app.close();
    expect(ds.isInitialized).toBe(false);
  });
});

import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { WorkerModule } from '../src/worker.module';

describe('worker process', () => {
  it('starts without HTTP, chains pending audit events, and stops cleanly', async () => {
    const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    await app.init();
    const ds = app.get<DataSource>(getDataSourceToken());
    await app.get(AuditService).record({ requestId: 'worker-test', ip: '127.0.0.1', principal: null }, { action: 'system.test', outcome: 'ALLOWED' });
    await app.get(AuditService).flush();
    const rows = await ds.query(`SELECT seq FROM audit_event WHERE request_id = 'worker-test'`);
    expect(rows).toHaveLength(1);
    await app.close();
    expect(ds.isInitialized).toBe(false);
  });
});

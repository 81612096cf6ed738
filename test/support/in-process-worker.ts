import type { INestApplicationContext } from '@nestjs/common';

/**
 * The worker, started inside the test process but with a module graph of its own — as in production,
 * where it is a process of its own. Importing `WorkerModule` beside `AppModule` would register a second
 * TypeORM data source named "default" in @nestjs/typeorm's process-wide registry (it warns), and share
 * every other module-level singleton with the API under test; a separate module registry gives the
 * worker its own @nestjs/*, TypeORM and BullMQ, as `node dist/worker.js` has.
 */
export async function startWorker(): Promise<INestApplicationContext> {
  return (await startWorkerWith(() => undefined)).worker;
}

/**
 * The same, with `pick` run inside the worker's module registry: classes a test looks up in the worker
 * (`worker.get(Class)`) must come from there, not from the test's own registry.
 */
export async function startWorkerWith<T>(pick: () => T): Promise<{ worker: INestApplicationContext; picked: T }> {
  let core!: typeof import('@nestjs/core');
  let mod!: typeof import('../../src/worker.module');
  let picked!: T;
  jest.isolateModules(() => {
    // Only require() loads into the isolated registry (jest.isolateModules is synchronous).
    /* eslint-disable @typescript-eslint/no-require-imports */
    core = require('@nestjs/core') as typeof import('@nestjs/core');
    mod = require('../../src/worker.module') as typeof import('../../src/worker.module');
    /* eslint-enable @typescript-eslint/no-require-imports */
    picked = pick();
  });
  const worker = await core.NestFactory.createApplicationContext(mod.WorkerModule, { logger: false });
  await worker.init();
  return { worker, picked };
}

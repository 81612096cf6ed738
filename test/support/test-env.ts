/** The PostgreSQL server tests use: TEST_PG_URL (a server URL without database) or the local default. */
export function serverUrl(database: string): string {
  const base = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
  return `${base.replace(/\/+$/, '')}/${database}`;
}

export const ADMIN_PASSWORD = 'test-admin-password-0001';

/** The environment every test process runs with (set once by global-setup, inherited by workers). */
export const TEST_ENV = {
  NODE_ENV: 'test',
  JWT_SECRET: 'test-secret-test-secret-test-secret-0001',
  BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  LOG_LEVEL: 'silent',
  // The suites' clients are all 127.0.0.1: X-Forwarded-For must not be believed unless a suite says so.
  TRUSTED_PROXIES: '',
  // Fast retries, and queue keys of this run only (removed by global-teardown).
  DISSEMINATION_BACKOFF_MS: '50',
  DISSEMINATION_MAX_ATTEMPTS: '4',
  QUEUE_PREFIX: `fusiontest-${process.pid}-${Date.now()}`,
};

import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/fusion',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      DISSEMINATION_MAX_ATTEMPTS: 8,
      DISSEMINATION_BACKOFF_MS: 5000,
      RETENTION_REVIEW_DAYS: 1826,
      JWT_TTL_SECONDS: 3600,
      WEBHOOK_ALLOWED_HOSTS: [],
    });
    expect(c.ephemeralJwtSecret).toBe(true);
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('parses numbers and lists from strings', () => {
    const c = loadConfig({ PORT: '8080', WEBHOOK_ALLOWED_HOSTS: 'hooks.local, 10.0.0.0/8', JWT_SECRET: 'x'.repeat(32) });
    expect(c.PORT).toBe(8080);
    expect(c.WEBHOOK_ALLOWED_HOSTS).toEqual(['hooks.local', '10.0.0.0/8']);
    expect(c.ephemeralJwtSecret).toBe(false);
  });

  it('takes TRUSTED_PROXIES as addresses, CIDR ranges and proxy-addr range names, and names a bad entry', () => {
    expect(loadConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12,fd00::/8, loopback' }).TRUSTED_PROXIES).toEqual(['10.0.0.1', '172.16.0.0/12', 'fd00::/8', 'loopback']);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '10.0.0.0/']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });

  it('names every bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_TTL_SECONDS: '5', NODE_ENV: 'staging' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_TTL_SECONDS: '5', NODE_ENV: 'staging' });
    } catch (err) {
      const message = (err as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'JWT_TTL_SECONDS', 'NODE_ENV']) expect(message).toContain(name);
    }
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });
});

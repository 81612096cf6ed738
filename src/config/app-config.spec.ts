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

  it('requires AUDIT_SIGNING_KEY in production, names it, and takes only the base64 of a 32-byte seed', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig(prod)).toThrow(/AUDIT_SIGNING_KEY is required in production/);
    const seed = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ ...prod, AUDIT_SIGNING_KEY: seed })).toMatchObject({ AUDIT_SIGNING_KEY: seed, ephemeralAuditSigningKey: false });
    for (const bad of [Buffer.alloc(31, 7).toString('base64'), Buffer.alloc(64, 7).toString('base64'), 'not base64 at all!', `${seed}x`]) {
      expect(() => loadConfig({ ...prod, AUDIT_SIGNING_KEY: bad })).toThrow(/AUDIT_SIGNING_KEY must be the base64 of a 32-byte Ed25519 private seed/);
    }
    // Development and test: a key per process.
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.ephemeralAuditSigningKey).toBe(true);
    expect(Buffer.from(a.AUDIT_SIGNING_KEY as string, 'base64')).toHaveLength(32);
    expect(a.AUDIT_SIGNING_KEY).not.toBe(b.AUDIT_SIGNING_KEY);
  });

  it('anchors audit heads only to a URL the webhook policy allows, with a whsec_ secret, every AUDIT_ANCHOR_INTERVAL_SECONDS', () => {
    expect(loadConfig({}).AUDIT_ANCHOR_INTERVAL_SECONDS).toBe(3600);
    expect(() => loadConfig({ AUDIT_ANCHOR_URL: 'https://witness.example.org/anchor' })).toThrow(/AUDIT_ANCHOR_SECRET is required with AUDIT_ANCHOR_URL/);
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    expect(() => loadConfig({ AUDIT_ANCHOR_URL: 'http://127.0.0.1:9/anchor', AUDIT_ANCHOR_SECRET: secret })).toThrow(/AUDIT_ANCHOR_URL: url points to a private/);
    expect(() => loadConfig({ AUDIT_ANCHOR_URL: 'https://witness.example.org/', AUDIT_ANCHOR_SECRET: 'plain' })).toThrow(/AUDIT_ANCHOR_SECRET must be whsec_/);
    expect(() => loadConfig({ AUDIT_ANCHOR_INTERVAL_SECONDS: '1' })).toThrow(/AUDIT_ANCHOR_INTERVAL_SECONDS/);
    const ok = loadConfig({ AUDIT_ANCHOR_URL: 'http://127.0.0.1:9/anchor', AUDIT_ANCHOR_SECRET: secret, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUDIT_ANCHOR_INTERVAL_SECONDS: '600' });
    expect(ok).toMatchObject({ AUDIT_ANCHOR_URL: 'http://127.0.0.1:9/anchor', AUDIT_ANCHOR_INTERVAL_SECONDS: 600 });
  });
});

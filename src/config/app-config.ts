import { randomBytes } from 'node:crypto';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, validateSync } from 'class-validator';
import { isIP } from 'node:net';
import { isValidSecret, WebhookPolicy } from './webhook-policy';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** An integer setting within [min, max], given as a decimal string: @Transform(toInt) @IsInt() @Min @Max, applied bottom-up as stacked ones are. */
function IntSetting(min: number, max: number): PropertyDecorator {
  const bottomUp = [Max(max), Min(min), IsInt(), Transform(toInt)];
  return (target, key) => bottomUp.forEach((d) => d(target, key));
}

/** A comma-separated list, trimmed, empty entries dropped. */
const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/** The names proxy-addr (Fastify's `trustProxy`) knows for whole ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR range (address/prefix) or one of PROXY_RANGE_NAMES. */
export function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [addr, bits, ...rest] = entry.split('/');
  const family = isIP(addr);
  if (!family || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
}

/**
 * The whole configuration surface, validated once at start-up. This class is the only reader of
 * `process.env` (see `loadConfig`); everything else receives an `AppConfig` by injection.
 */
export class AppConfig {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/fusion';

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @IntSetting(1, 65535)
  PORT = 3000;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters' })
  BOOTSTRAP_ADMIN_PASSWORD?: string;

  @IntSetting(1, 100)
  DISSEMINATION_MAX_ATTEMPTS = 8;

  @IntSetting(1, 3_600_000)
  DISSEMINATION_BACKOFF_MS = 5000;

  /** Deliveries one worker process runs at once (webhook POSTs and their writes wait mostly on I/O). */
  @IntSetting(1, 256)
  DELIVERY_CONCURRENCY = 64;

  @IntSetting(1, 36_500)
  RETENTION_REVIEW_DAYS = 1826;

  @IntSetting(60, 86_400)
  JWT_TTL_SECONDS = 3600;

  /** How long a sensitive admin change waits for a second ADMIN before it expires (SPEC S1 four eyes). */
  @IntSetting(1, 8760)
  ADMIN_CHANGE_TTL_HOURS = 168;

  /** Host names, addresses or CIDR ranges webhooks may reach although private or loopback. */
  @Transform(toList)
  @IsString({ each: true })
  WEBHOOK_ALLOWED_HOSTS: string[] = [];

  /**
   * The reverse proxies in front of the API (addresses, CIDR ranges, or loopback / linklocal /
   * uniquelocal): only from these is `X-Forwarded-For` believed, so the client address (login
   * throttle, audit) is the one the proxy saw. Empty: the header is ignored.
   */
  @Transform(toList)
  @ValidateBy({
    name: 'isProxyList',
    validator: {
      validate: (v: unknown) => Array.isArray(v) && v.every((e) => typeof e === 'string' && isProxyEntry(e)),
      defaultMessage: () => `TRUSTED_PROXIES must be comma-separated addresses, CIDR ranges or ${PROXY_RANGE_NAMES.join(' / ')}`,
    },
  })
  TRUSTED_PROXIES: string[] = [];

  /** Prefix of every BullMQ key in Redis (lets several deployments or test runs share one Redis). */
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'QUEUE_PREFIX must be 1–64 of A-Z a-z 0-9 _ . : -' })
  QUEUE_PREFIX = 'fusion';

  /** Entity values found in more reports than this are not correlated (reported as over-common instead). */
  @IntSetting(2, 1_000_000)
  CORRELATION_LIMIT = 1000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * The Ed25519 key that signs audit head receipts: base64 of the 32-byte private seed. Required in
   * production; made per process in development and test (each process records its public key).
   */
  @IsOptional()
  @ValidateBy({
    name: 'isEd25519Seed',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9+/]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32,
      defaultMessage: () => 'AUDIT_SIGNING_KEY must be the base64 of a 32-byte Ed25519 private seed',
    },
  })
  AUDIT_SIGNING_KEY?: string;

  /** Where the worker posts a signed audit head receipt (Standard Webhooks), so a witness outside the cell holds them. */
  @IsOptional()
  @IsString()
  AUDIT_ANCHOR_URL?: string;

  /** The Standard Webhooks secret (`whsec_…`) the anchor posts are signed with; required with AUDIT_ANCHOR_URL. */
  @IsOptional()
  @ValidateBy({
    name: 'isWebhookSecret',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && isValidSecret(v),
      defaultMessage: () => 'AUDIT_ANCHOR_SECRET must be whsec_ followed by the base64 of 24 to 64 bytes',
    },
  })
  AUDIT_ANCHOR_SECRET?: string;

  @IntSetting(10, 604_800)
  AUDIT_ANCHOR_INTERVAL_SECONDS = 3600;

  /** True when AUDIT_SIGNING_KEY was not given and a random per-process key is in use (development and test). */
  ephemeralAuditSigningKey = false;

  /** True when JWT_SECRET was not given and a random per-process secret is in use (development only). */
  ephemeralJwtSecret = false;

  get jwtSecret(): string {
    return this.JWT_SECRET as string;
  }
}

export class ConfigError extends Error {}

const KEYS = [
  'NODE_ENV',
  'DATABASE_URL',
  'REDIS_URL',
  'PORT',
  'JWT_SECRET',
  'BOOTSTRAP_ADMIN_PASSWORD',
  'DISSEMINATION_MAX_ATTEMPTS',
  'DISSEMINATION_BACKOFF_MS',
  'DELIVERY_CONCURRENCY',
  'RETENTION_REVIEW_DAYS',
  'JWT_TTL_SECONDS',
  'ADMIN_CHANGE_TTL_HOURS',
  'WEBHOOK_ALLOWED_HOSTS',
  'TRUSTED_PROXIES',
  'CORRELATION_LIMIT',
  'QUEUE_PREFIX',
  'LOG_LEVEL',
  'AUDIT_SIGNING_KEY',
  'AUDIT_ANCHOR_URL',
  'AUDIT_ANCHOR_SECRET',
  'AUDIT_ANCHOR_INTERVAL_SECONDS',
] as const;

/**
 * Reads and validates the environment. Throws a ConfigError naming every bad or missing value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const problems = validateSync(config, { forbidUnknownValues: false }).flatMap((e) =>
    Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }),
  );
  if (config.NODE_ENV === 'production') {
    if (!config.JWT_SECRET) problems.push('JWT_SECRET is required in production (at least 32 characters)');
    if (!config.AUDIT_SIGNING_KEY) problems.push('AUDIT_SIGNING_KEY is required in production (base64 of a 32-byte Ed25519 private seed)');
  }
  if (config.AUDIT_ANCHOR_URL) {
    const urlProblem = new WebhookPolicy(config.WEBHOOK_ALLOWED_HOSTS).validateUrl(config.AUDIT_ANCHOR_URL);
    if (urlProblem) problems.push(`AUDIT_ANCHOR_URL: ${urlProblem}`);
    if (!config.AUDIT_ANCHOR_SECRET) problems.push('AUDIT_ANCHOR_SECRET is required with AUDIT_ANCHOR_URL (whsec_…)');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  if (!config.JWT_SECRET) {
    config.JWT_SECRET = randomBytes(48).toString('base64url');
    config.ephemeralJwtSecret = true;
  }
  if (!config.AUDIT_SIGNING_KEY) {
    config.AUDIT_SIGNING_KEY = randomBytes(32).toString('base64');
    config.ephemeralAuditSigningKey = true;
  }
  return config;
}

export interface Launch {
  config: AppConfig;
  /** The environment for the API and worker processes a launcher (the demo) starts. */
  childEnv: NodeJS.ProcessEnv;
  /** Secrets made up because they were not set (shown once to the user). */
  generated: { JWT_SECRET?: string; BOOTSTRAP_ADMIN_PASSWORD?: string; AUDIT_SIGNING_KEY?: string };
  /** DEMO_EXIT=1: play the demo and exit instead of serving until Ctrl-C (tests, CI). */
  exitWhenDone: boolean;
}

/**
 * For launchers that start the API and the worker as child processes: the validated configuration
 * plus the environment to hand down, with production defaults and any missing secret generated once
 * so both processes share it. `allowHosts` are added to WEBHOOK_ALLOWED_HOSTS (the demo's local
 * webhook receiver); `defaults` stand where the environment sets nothing (the demo's own QUEUE_PREFIX).
 */
export function launchEnvironment(allowHosts: string[] = [], defaults: NodeJS.ProcessEnv = {}, source: NodeJS.ProcessEnv = process.env): Launch {
  const env: NodeJS.ProcessEnv = { ...defaults, ...source };
  const generated: Launch['generated'] = {};
  if (!env.JWT_SECRET) generated.JWT_SECRET = randomBytes(48).toString('base64url');
  if (!env.AUDIT_SIGNING_KEY) generated.AUDIT_SIGNING_KEY = randomBytes(32).toString('base64');
  if (!env.BOOTSTRAP_ADMIN_PASSWORD) generated.BOOTSTRAP_ADMIN_PASSWORD = `admin-${randomBytes(12).toString('base64url')}`;
  const merged: NodeJS.ProcessEnv = { ...env, ...generated, NODE_ENV: env.NODE_ENV || 'production', LOG_LEVEL: env.LOG_LEVEL || 'info' };
  const config = loadConfig(merged);
  merged.WEBHOOK_ALLOWED_HOSTS = [...config.WEBHOOK_ALLOWED_HOSTS, ...allowHosts].join(',');
  return { config, childEnv: merged, generated, exitWhenDone: env.DEMO_EXIT === '1' };
}

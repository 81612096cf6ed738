import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, createAdapter } from '../../src/app.setup';
import { AuditService } from '../../src/audit/audit.service';
import { AuditWriter } from '../../src/audit/audit-writer';
import { loadConfig } from '../../src/config/app-config';
import { ADMIN_PASSWORD } from './test-env';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

export interface Call {
  token?: string;
  body?: unknown;
  /** A raw payload, sent as is (for malformed JSON and size tests). */
  payload?: string | Buffer;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The client's address (default 127.0.0.1): tests of per-address limits use their own. */
  remoteAddress?: string;
}

/** A keyset-paginated list body. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The real AppModule on the real database and Redis, driven over HTTP with Fastify's inject. */
export class TestApp {
  private constructor(readonly app: NestFastifyApplication) {}

  /** Boots the app; `customize` may override providers (e.g. the Clock) before it compiles. */
  static async start(customize?: (builder: TestingModuleBuilder) => TestingModuleBuilder): Promise<TestApp> {
    const builder = Test.createTestingModule({ imports: [AppModule] });
    const moduleRef = await (customize ? customize(builder) : builder).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(loadConfig().TRUSTED_PROXIES), { logger: false, bodyParser: false });
    await configureApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return new TestApp(app);
  }

  get ds(): DataSource {
    return this.app.get<DataSource>(getDataSourceToken());
  }

  get audit(): AuditService {
    return this.app.get(AuditService);
  }

  /** The one way to write an audit event (services inject it). */
  get writer(): AuditWriter {
    return this.app.get(AuditWriter);
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  async call<T = any>(method: string, url: string, opts: Call = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | Buffer | undefined = opts.payload;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    } else if (payload !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const res = await this.app.inject({ method: method as 'GET', url, headers, payload, query: opts.query, remoteAddress: opts.remoteAddress });
    let body: any = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body, headers: res.headers, text: res.body };
  }

  get = <T = any>(url: string, opts?: Call) => this.call<T>('GET', url, opts);
  post = <T = any>(url: string, opts?: Call) => this.call<T>('POST', url, opts);

  /** Every page of a keyset-paginated list (GET `url` with `query`), following nextCursor; each page must answer 200. */
  async allPages<T>(url: string, token: string, query: Record<string, string>, maxPages = 1000): Promise<{ items: T[]; pages: Res<Page<T>>[] }> {
    const pages: Res<Page<T>>[] = [];
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const res: Res<Page<T>> = await this.get<Page<T>>(url, { token, query: { ...query, ...(cursor ? { cursor } : {}) } });
      expect({ url, query, status: res.status }).toEqual({ url, query, status: 200 });
      pages.push(res);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (pages.length > maxPages) throw new Error(`runaway pagination of ${url}`);
    } while (cursor);
    return { items, pages };
  }

  async login(username: string, password: string): Promise<string> {
    const res = await this.post('/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} → ${res.status} ${res.text}`);
    return res.body.accessToken as string;
  }

  adminToken(): Promise<string> {
    return this.login('admin', ADMIN_PASSWORD);
  }
}

export const uniq = (prefix = ''): string => `${prefix}${randomBytes(4).toString('hex').toUpperCase()}`;

import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../src/app.module';
import { configureApp, createAdapter, REQUEST_TIMEOUT_MS } from '../src/app.setup';
import { AUTHORIZE_KEY, type Requirement } from '../src/access/authorize.decorator';
import { PUBLIC_KEY } from '../src/common/decorators';

// STYLE rule 1, "Deny by default": every route says @Public() or @Authorize(action, subject). This walks
// every controller method Nest routes (DiscoveryService + MetadataScanner + Reflector), checks the
// declarations, checks that the Fastify router holds exactly those routes (plus Swagger's), and then
// asks every protected route over HTTP without a token.

/** The routes anyone may call without a token. Adding a public route means adding it here, on purpose. */
const PUBLIC_ROUTES = [
  'POST /api/v1/auth/login',
  'GET /health',
  'HEAD /health',
  'GET /api/v1/threat-level',
  'GET /api/v1/audit-events/keys',
];

/** The queue dashboard's routes are Fastify's own, behind their own ADMIN hook (src/dissemination/queue-dashboard.ts). */
const isDashboardRoute = (url: string) => url === '/admin/queues' || url.startsWith('/admin/queues/');
/** Routes that are not controller methods: Swagger UI and its document (public by design). */
const isDocsRoute = (url: string) => url === '/api/docs' || url.startsWith('/api/docs/') || url.startsWith('/api/docs-json') || url.startsWith('/api/docs-yaml');

interface Route {
  method: string;
  path: string;
  controller: string;
  handler: string;
  isPublic: boolean;
  requirement: Requirement | undefined;
}

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

function joinPath(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

/** A route path from PATH_METADATA (a string or a list of them; absent means the root). */
const asList = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v === undefined ? [''] : [v]);

function discoverRoutes(app: NestFastifyApplication): Route[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const controllerPaths = asList(reflector.get<string | string[] | undefined>(PATH_METADATA, metatype as never));
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as (...args: unknown[]) => unknown;
      const method = reflector.get<RequestMethod | undefined>(METHOD_METADATA, handler);
      if (method === undefined) continue; // not a route
      const targets = [handler, metatype as never];
      const isPublic = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true;
      const requirement = reflector.getAllAndOverride<Requirement | undefined>(AUTHORIZE_KEY, targets);
      for (const base of controllerPaths) {
        for (const sub of asList(reflector.get<string | string[] | undefined>(PATH_METADATA, handler))) {
          routes.push({
            method: RequestMethod[method],
            path: joinPath(base, sub),
            controller: metatype.name,
            handler: name,
            isPublic,
            requirement,
          });
        }
      }
    }
  }
  return routes.sort((a, b) => key(a).localeCompare(key(b)));
}

describe('routes: deny by default, walked from the router', () => {
  let app: NestFastifyApplication;
  let routes: Route[];
  /** Every route the Fastify router holds, as registered. */
  const registered: { method: string; url: string }[] = [];

  beforeAll(async () => {
    // As TestApp.start, plus DiscoveryModule, plus a hook that sees every route the router receives.
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, DiscoveryModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), { logger: false });
    app.getHttpAdapter().getInstance().addHook('onRoute', (opts) => {
      for (const method of Array.isArray(opts.method) ? opts.method : [opts.method]) registered.push({ method, url: opts.url ?? opts.path });
    });
    await configureApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    routes = discoverRoutes(app);
  });
  afterAll(() => app.close());

  const call = async (method: string, url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: method as 'GET', url, headers });
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body, text: res.body, headers: res.headers };
  };
  const concrete = (path: string) => path.replace(/:[A-Za-z0-9_]+/g, () => randomUUID());

  it('discovers the controllers’ routes (so the checks below are not vacuous)', () => {
    const keys = routes.map(key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login',
        'GET /api/v1/auth/me',
        'GET /api/v1/agencies',
        'POST /api/v1/agencies',
        'POST /api/v1/users',
        'POST /api/v1/reports',
        'GET /api/v1/reports',
        'GET /api/v1/reports/:id',
        'POST /api/v1/reports/:id/validate',
        'GET /api/v1/audit-events',
        'POST /api/v1/assessments',
        'PATCH /api/v1/assessments/:id',
        'GET /api/v1/threat-level',
        'POST /api/v1/threat-level',
        'GET /health',
      ]),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every route declares @Public() or @Authorize(action, subject)', () => {
    const undeclared = routes.filter((r) => !r.isPublic && !r.requirement).map((r) => `${key(r)} (${r.controller}.${r.handler})`);
    expect(undeclared).toEqual([]);
  });

  it('every @Authorize names an action and a subject', () => {
    const malformed = routes
      .filter((r) => r.requirement && !(typeof r.requirement.action === 'string' && r.requirement.action && typeof r.requirement.subject === 'string' && r.requirement.subject))
      .map(key);
    expect(malformed).toEqual([]);
  });

  it('the public routes are exactly the allowed list', () => {
    expect(routes.filter((r) => r.isPublic).map(key).sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('the Fastify router holds exactly the discovered routes, plus the API docs and the guarded queue dashboard (nothing bypasses the guard)', () => {
    expect(routerKeys().filter((k) => !isDashboardRoute(k.split(' ')[1]))).toEqual(routes.map(key).sort());
    expect(routerKeys().filter((k) => isDashboardRoute(k.split(' ')[1])).length).toBeGreaterThan(0);
  });

  /** Every route, from Nest's metadata and from the router itself, as `METHOD /path`. */
  const routerKeys = () =>
    [...new Set(registered.filter((r) => !isDocsRoute(r.url)).map((r) => `${r.method} ${r.url.replace(/\/+$/, '') || '/'}`))].sort();

  it('every non-public route answers 401 without a token, and with a forged one', async () => {
    const wrong: string[] = [];
    const publicKeys = new Set(routes.filter((x) => x.isPublic).map(key));
    const all = [...new Set([...routes.map(key), ...routerKeys()])].filter((k) => !publicKeys.has(k));
    expect(all.length).toBeGreaterThan(5);
    for (const k of all) {
      const [method, path] = k.split(' ');
      const r = { method, path };
      const url = concrete(r.path);
      const forged = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: randomUUID(), exp: 4102444800 })).toString('base64url')}.c2lnbmF0dXJl`;
      for (const [label, headers] of [
        ['no token', {}],
        ['forged token', { authorization: `Bearer ${forged}` }],
        // Basic credentials with no username: refused before the login (real ones would count as failed
        // logins of this address, and the throttle would then refuse every login of the test run).
        ['not a bearer token', { authorization: `Basic ${Buffer.from(':admin').toString('base64')}` }],
      ] as const) {
        const res = await call(r.method, url, headers);
        const body = res.body as Record<string, unknown> | undefined;
        const ok =
          res.status === 401 &&
          body?.statusCode === 401 &&
          typeof body.error === 'string' &&
          typeof body.message === 'string' &&
          typeof body.requestId === 'string';
        if (!ok) wrong.push(`${r.method} ${url} (${label}) → ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the public routes answer without a token', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    // No body: a validation error, not an authentication one.
    const login = await call('POST', '/api/v1/auth/login', { 'content-type': 'application/json' });
    expect(login.status).not.toBe(401);
    expect(login.status).toBeLessThan(500);
    for (const r of routes.filter((x) => x.isPublic)) {
      const res = await call(r.method, concrete(r.path));
      expect({ route: key(r), unauthenticated: res.status === 401 || res.status === 403 }).toEqual({ route: key(r), unauthenticated: false });
    }
  });

  it('serves no automatic HEAD (it would run the GET handler: a HEAD of a report audited as its read) and limits how long a request may take to arrive', async () => {
    for (const path of ['/api/v1/reports', `/api/v1/reports/${randomUUID()}`, '/api/v1/threat-level', '/api/v1/inbox']) {
      expect([path, (await call('HEAD', path)).status]).toEqual([path, 404]);
    }
    // Except the health check, for monitors that ask with HEAD.
    const head = await call('HEAD', '/health');
    expect([head.status, head.text]).toEqual([200, '']);
    expect((app.getHttpServer() as { requestTimeout: number }).requestTimeout).toBe(REQUEST_TIMEOUT_MS);
  });

  it('serves Swagger UI and the OpenAPI document without a token', async () => {
    const ui = await call('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.headers['content-type'])).toMatch(/text\/html/);
    const doc = await call('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    const paths = Object.keys((doc.body as { paths?: Record<string, unknown> }).paths ?? {});
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/reports', '/api/v1/auth/login']));
  });

  it('the OpenAPI document lists every route', async () => {
    const doc = (await call('GET', '/api/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`)),
    );
    expect(routes.map(key).filter((k) => !documented.has(k))).toEqual([]);
  });
});

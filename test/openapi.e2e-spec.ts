// Over 300 lines: the schema checker and the walk that exercises every documented operation belong together.
import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DISSEMINATION_QUEUE, RETENTION_QUEUE } from '../src/common/queues';
import { startWorker } from './support/in-process-worker';
import { type Call, type Res, TestApp, uniq } from './support/test-app';
import { OwnDatabase } from './support/own-database';
import { ADMIN_PASSWORD } from './support/test-env';
import { PASSWORD } from './support/agencies-and-users';
import { reportBody } from './support/report-body';
import { waitFor } from './support/wait-for';
import { ERROR_CODES, ERROR_CODES_BY_CAPABILITY } from '../src/error-codes';

// The OpenAPI document (/api/docs-json) describes every response a client gets, so clients can
// generate their types from it; and it cannot drift from the code: real responses, from the real
// AppModule and worker, are checked against the documented schemas (every key, both ways).

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
}
interface Operation {
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Operations whose 2xx is not JSON: the audit export streams NDJSON or CSV. */
const STREAMED = new Set(['GET /api/v1/audit-events/export']);
const ERROR_BODY = '#/components/schemas/ErrorBodyDto';
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A schema with its `$ref`s followed and its `allOf` merged into one object schema. */
function resolve(doc: OpenApiDoc, schema: Schema): Schema {
  let s = schema;
  for (let hops = 0; s.$ref; hops++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target || hops > 20) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = { ...target, nullable: s.nullable ?? target.nullable };
  }
  if (!s.allOf) return s;
  const parts = s.allOf.map((p) => resolve(doc, p));
  const { allOf: _allOf, ...rest } = s;
  return {
    ...Object.assign({}, ...parts),
    ...rest,
    type: 'object',
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), rest.properties),
    required: [...new Set([...parts.flatMap((p) => p.required ?? []), ...(rest.required ?? [])])],
  } as Schema;
}

/** Every way `value` departs from `schema`: undocumented keys, missing required keys, wrong types, values outside an enum. */
function mismatches(doc: OpenApiDoc, value: unknown, schema: Schema, at = '$'): string[] {
  const s = resolve(doc, schema);
  if (value === null) return s.nullable ? [] : [`${at}: null, but not nullable`];
  const choices = s.oneOf ?? s.anyOf;
  if (choices) {
    const d = s.discriminator;
    if (d?.mapping && value && typeof value === 'object') {
      const ref = d.mapping[String((value as Record<string, unknown>)[d.propertyName])];
      return ref ? mismatches(doc, value, { $ref: ref }, at) : [`${at}.${d.propertyName}: no schema for this value`];
    }
    const results = choices.map((c) => mismatches(doc, value, c, at));
    const fits = results.filter((r) => r.length === 0).length;
    if (s.oneOf ? fits === 1 : fits >= 1) return [];
    return [`${at}: fits ${fits} of the ${s.oneOf ? 'oneOf' : 'anyOf'} schemas (${results.map((r) => r[0] ?? 'fits').join(' | ')})`];
  }
  if (s.enum && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`];
  switch (s.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      const o = value as Record<string, unknown>;
      if (!s.properties) return s.additionalProperties ? [] : [`${at}: an object with no documented properties`];
      const props = s.properties;
      return [
        ...Object.keys(o)
          .filter((k) => !(k in props))
          .map((k) => `${at}.${k}: not documented`),
        ...(s.required ?? []).filter((k) => !(k in o)).map((k) => `${at}.${k}: documented as required, missing`),
        ...Object.keys(o)
          .filter((k) => k in props)
          .flatMap((k) => mismatches(doc, o[k], props[k], `${at}.${k}`)),
      ];
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      return value.flatMap((v, i) => mismatches(doc, v, s.items ?? {}, `${at}[${i}]`));
    case 'string':
      if (typeof value !== 'string') return [`${at}: not a string`];
      if (s.format === 'date-time' && !ISO_TIME.test(value)) return [`${at}: not an ISO-8601 UTC date-time`];
      if (s.format === 'uuid' && !UUID.test(value)) return [`${at}: not a UUID`];
      return [];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
    default:
      return [`${at}: the schema has no type`];
  }
}

/** The documented JSON schema of `METHOD /path/{param}`'s `status` answer (throws when there is none). */
function documented(doc: OpenApiDoc, method: string, path: string, status: number): Schema {
  const schema = doc.paths[path]?.[method.toLowerCase()]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} → ${status} has no documented application/json schema`);
  return schema;
}

/** The object's keys are exactly the documented properties, less the optional ones named as absent here. */
function expectExactKeys(doc: OpenApiDoc, value: unknown, schema: Schema, absent: string[] = []): void {
  const s = resolve(doc, schema);
  expect(absent.filter((k) => s.required?.includes(k))).toEqual([]);
  const expected = Object.keys(s.properties ?? {}).filter((k) => !absent.includes(k));
  expect(Object.keys(value as object).sort()).toEqual(expected.sort());
}

/** Problems with the document itself: /api/v1 operations without a 2xx, or whose JSON 2xx or error has no schema. */
function documentProblems(doc: OpenApiDoc): string[] {
  const problems: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${path}`;
      const ok = Object.entries(op.responses).filter(([code]) => /^2\d\d$/.test(code));
      if (ok.length === 0) problems.push(`${name}: no 2xx response`);
      for (const [code, res] of ok) {
        if (code === '204' || STREAMED.has(name)) continue;
        if (!res.content?.['application/json']?.schema) problems.push(`${name} ${code}: no application/json schema`);
      }
      for (const [code, res] of Object.entries(op.responses).filter(([c]) => /^[45]\d\d$/.test(c))) {
        if (res.content?.['application/json']?.schema?.$ref !== ERROR_BODY) problems.push(`${name} ${code}: not the ErrorBodyDto schema`);
      }
    }
  }
  return problems;
}

describe('OpenAPI document: response schemas, checked against real responses', () => {
  const db = new OwnDatabase('openapi');
  let t: TestApp;
  let worker: INestApplicationContext;
  let doc: OpenApiDoc;
  /** Every response seen, by documented operation, to be checked against its schema. */
  const seen: { method: string; path: string; res: Res }[] = [];

  /** Calls the API by the documented path (`{id}` filled from `params`) and records the answer. */
  async function api(method: string, path: string, opts: Call & { params?: Record<string, string> } = {}): Promise<Res> {
    const url = path.replace(/\{(\w+)\}/g, (_, k: string) => opts.params?.[k] ?? `missing-${k}`);
    const res = await t.call(method, url, opts);
    if (res.status >= 400) throw new Error(`${method} ${url} → ${res.status} ${res.text}`);
    seen.push({ method, path, res });
    return res;
  }

  const login = async (username: string, password = PASSWORD): Promise<string> =>
    (await api('POST', '/api/v1/auth/login', { body: { username, password } })).body.accessToken as string;

  let admin: string;
  let police: { id: string; code: string };
  let customs: { id: string; code: string };
  let cell: { id: string; code: string };
  let officer: string, lowOfficer: string, analyst: string, supervisor: string, auditor: string;

  async function user(agencyId: string, roles: string[], clearance: string): Promise<string> {
    const username = `u${uniq().toLowerCase()}`;
    const created = await api('POST', '/api/v1/users', { token: admin, body: { username, password: PASSWORD, agencyId, roles, clearance, compartments: [] } });
    // Every operation is exercised: the admin's change of a user (here, a no-op one) as well.
    await api('PATCH', '/api/v1/users/{id}', { token: admin, params: { id: created.body.id }, body: { compartments: [] } });
    return login(username);
  }

  beforeAll(async () => {
    await db.start();
    t = await TestApp.start();
    worker = await startWorker();
    await worker.init();
    doc = (await t.get<OpenApiDoc>('/api/docs-json')).body;

    admin = await login('admin', ADMIN_PASSWORD);
    const agencies = await api('GET', '/api/v1/agencies', { token: admin });
    cell = agencies.body.find((a: { kind: string }) => a.kind === 'FUSION_CELL');
    const agency = async (kind: string) =>
      (await api('POST', '/api/v1/agencies', { token: admin, body: { code: uniq(kind.slice(0, 4)), name: `${kind} agency`, kind, accreditation: 'TOP_SECRET' } })).body;
    police = await agency('POLICE');
    customs = await agency('CUSTOMS');
    officer = await user(police.id, ['OFFICER'], 'SECRET');
    lowOfficer = await user(police.id, ['OFFICER'], 'RESTRICTED');
    analyst = await user(cell.id, ['ANALYST'], 'TOP_SECRET');
    supervisor = await user(cell.id, ['SUPERVISOR'], 'TOP_SECRET');
    auditor = await user(cell.id, ['AUDITOR'], 'UNCLASSIFIED');
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    // This file's queue prefix leaves nothing behind in Redis.
    await t?.app.get<Queue>(getQueueToken(DISSEMINATION_QUEUE)).obliterate({ force: true });
    await t?.app.get<Queue>(getQueueToken(RETENTION_QUEUE)).obliterate({ force: true });
    await t?.close();
    await db.stop(); // and every other queue's keys (the audit anchor's…)
  });

  it('documents a 2xx response with a JSON schema for every /api/v1 operation, and the error body for every error', () => {
    const operations = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/v1/'))
      .flatMap(([, ops]) => Object.keys(ops));
    expect(operations.length).toBeGreaterThan(25);
    expect(documentProblems(doc)).toEqual([]);
    // The export documents its two streamed formats instead.
    expect(Object.keys(doc.paths['/api/v1/audit-events/export'].get.responses['200'].content ?? {}).sort()).toEqual(['application/x-ndjson', 'text/csv']);
    // The error body is the contract's.
    expect(resolve(doc, { $ref: ERROR_BODY }).required).toEqual(expect.arrayContaining(['statusCode', 'error', 'message']));
  });

  it('documents every error code of every capability as the enum of ErrorBodyDto.code', () => {
    const documentedCodes = resolve(doc, { $ref: ERROR_BODY }).properties?.code.enum;
    expect(documentedCodes).toEqual([...ERROR_CODES]);
    for (const [capability, statuses] of Object.entries(ERROR_CODES_BY_CAPABILITY)) {
      expect([capability, Object.keys(statuses).filter((c) => !documentedCodes?.includes(c))]).toEqual([capability, []]);
    }
  });

  it('answers a domain error with its code, in the documented error body', async () => {
    const answers: [Res, number, string][] = [
      [await t.post('/api/v1/reports', { token: lowOfficer, body: reportBody({ classification: 'SECRET' }) }), 403, 'MARKING_ABOVE_CLEARANCE'],
      [await t.post('/api/v1/reports', { token: officer, body: reportBody({ releasableTo: ['NO_SUCH_AGENCY'] }) }), 400, 'UNKNOWN_AGENCY'],
      [await t.post('/api/v1/reports', { token: officer, body: reportBody({ title: '' }) }), 400, 'VALIDATION'],
      [await t.get(`/api/v1/reports/${randomUUID()}`, { token: officer }), 404, 'NOT_FOUND'],
      [await t.get('/api/v1/audit-events', { token: officer }), 403, 'ROLE_NOT_ALLOWED'],
      [await t.get('/api/v1/auth/me', { token: 'not-a-token' }), 401, 'INVALID_TOKEN'],
    ];
    for (const [res, status, code] of answers) {
      expect([code, res.status, res.body.code, mismatches(doc, res.body, { $ref: ERROR_BODY })]).toEqual([code, status, code, []]);
    }
  });

  it('lists the SPEC’s enum values', () => {
    const s = doc.components.schemas;
    expect(s.DisseminationDto.properties?.status.enum).toEqual(['PENDING', 'QUEUED', 'DELIVERED', 'ACKNOWLEDGED', 'FAILED', 'WITHHELD']);
    expect(s.AgencyDto.properties?.kind.enum).toEqual([
      'FUSION_CELL',
      'POLICE',
      'SECURITY_SERVICE',
      'CUSTOMS',
      'BORDER',
      'MILITARY',
      'PUBLIC_HEALTH',
      'EMERGENCY_MANAGEMENT',
      'FOREIGN_PARTNER',
      'OTHER',
      'OVERSIGHT',
    ]);
    expect(s.ReportDto.properties?.tlp.enum).toEqual(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
    expect(s.ThreatLevelDto.properties?.level.enum).toEqual(['LOW', 'MODERATE', 'SUBSTANTIAL', 'SEVERE', 'CRITICAL']);
    expect(s.AuditEventDto.properties?.outcome.enum).toEqual(['ALLOWED', 'DENIED', 'FAILED']);
    expect(s.InboxItemDto.properties?.kind.enum).toEqual(['ASSESSMENT', 'THREAT_LEVEL', 'ADMIN_NOTICE']);
  });

  let reportId: string;
  let phone: string;

  it('login, reports: the real keys are exactly the documented properties', async () => {
    const res = await t.post('/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(res.status).toBe(200);
    const loginSchema = documented(doc, 'POST', '/api/v1/auth/login', 200);
    expectExactKeys(doc, res.body, loginSchema, ['passwordChangeRequired']);
    expectExactKeys(doc, res.body.user, resolve(doc, loginSchema).properties!.user);
    await api('GET', '/api/v1/auth/me', { token: officer });

    phone = `+44 7700 ${String(Date.now()).slice(-6)}`;
    const first = await api('POST', '/api/v1/reports', { token: officer, body: reportBody({ entities: [{ type: 'PHONE', value: phone }] }) });
    reportId = first.body.id;
    await api('POST', '/api/v1/reports', { token: officer, body: reportBody({ title: 'Second sighting', entities: [{ type: 'PHONE', value: phone }] }) });

    const list = await api('GET', '/api/v1/reports', { token: officer, query: { limit: '1' } });
    const listSchema = documented(doc, 'GET', '/api/v1/reports', 200);
    expectExactKeys(doc, list.body, listSchema);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    expectExactKeys(doc, list.body.items[0], resolve(doc, listSchema).properties!.items.items!);

    const one = await api('GET', '/api/v1/reports/{id}', { token: officer, params: { id: reportId } });
    const reportSchema = documented(doc, 'GET', '/api/v1/reports/{id}', 200);
    expectExactKeys(doc, one.body, reportSchema);
    // Another agency's reader (the cell's analyst) gets it without the originator-only sourceDescription.
    const asAnalyst = await api('GET', '/api/v1/reports/{id}', { token: analyst, params: { id: reportId } });
    expectExactKeys(doc, asAnalyst.body, reportSchema, ['sourceDescription']);

    await api('POST', '/api/v1/reports/{id}/validate', { token: officer, params: { id: reportId } });
    const correlations = await api('GET', '/api/v1/reports/{id}/correlations', { token: officer, params: { id: reportId } });
    expect(correlations.body.items).toHaveLength(1);
    const search = await api('GET', '/api/v1/entities/search', { token: officer, query: { type: 'PHONE', value: phone } });
    expect(search.body.items).toHaveLength(2);
  });

  let assessmentId: string;

  it('assessments, threat level, disseminations and the inbox: the real keys are exactly the documented properties', async () => {
    const draft = await api('POST', '/api/v1/assessments', {
      token: analyst,
      body: {
        title: `OpenAPI ${uniq()}`,
        keyJudgements: ['A judgement'],
        body: 'Assessment body',
        likelihood: 'LIKELY',
        recommendedLevel: 'SUBSTANTIAL',
        scope: 'NATIONAL',
        sectors: ['TRANSPORT'],
        reportIds: [reportId],
        classification: 'CONFIDENTIAL',
        compartments: [],
        tlp: 'AMBER',
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
        distribution: { agencyCodes: [police.code] },
        tearline: { summary: 'Sanitised summary', classification: 'RESTRICTED', tlp: 'GREEN' },
      },
    });
    assessmentId = draft.body.id;
    await api('PATCH', '/api/v1/assessments/{id}', { token: analyst, params: { id: assessmentId }, body: { title: `OpenAPI edited ${uniq()}` } });
    await api('POST', '/api/v1/assessments/{id}/submit', { token: analyst, params: { id: assessmentId } });
    await api('POST', '/api/v1/assessments/{id}/publish', { token: supervisor, params: { id: assessmentId } });
    const full = await api('GET', '/api/v1/assessments/{id}', { token: analyst, params: { id: assessmentId } });
    expect(full.body.variant).toBe('FULL');
    const tearline = await api('GET', '/api/v1/assessments/{id}', { token: lowOfficer, params: { id: assessmentId } });
    expect(tearline.body.variant).toBe('TEARLINE');
    await api('GET', '/api/v1/assessments', { token: analyst });
    await api('GET', '/api/v1/assessments', { token: lowOfficer });

    const recommendation = await api('GET', '/api/v1/threat-level/recommendation', { token: analyst });
    expect(recommendation.body.contributing).toHaveLength(1);
    await api('POST', '/api/v1/threat-level', { token: supervisor, body: { level: 'SUBSTANTIAL', justification: 'OpenAPI test', assessmentIds: [assessmentId] } });
    const level = await api('GET', '/api/v1/threat-level');
    expectExactKeys(doc, level.body, documented(doc, 'GET', '/api/v1/threat-level', 200));
    await api('GET', '/api/v1/threat-level/history', { token: officer });

    // The worker delivers both notices (the assessment and the threat level) into the police inbox.
    const inbox = await waitFor(async () => {
      const res = await t.get('/api/v1/inbox', { token: officer });
      return res.body.items?.length === 2 ? res : null;
    }, 'both deliveries in the inbox');
    seen.push({ method: 'GET', path: '/api/v1/inbox', res: inbox });
    const inboxSchema = documented(doc, 'GET', '/api/v1/inbox', 200);
    expectExactKeys(doc, inbox.body, inboxSchema);
    const itemSchema = resolve(doc, inboxSchema).properties!.items.items!;
    const assessmentItem = inbox.body.items.find((i: { kind: string }) => i.kind === 'ASSESSMENT');
    const noticeItem = inbox.body.items.find((i: { kind: string }) => i.kind === 'THREAT_LEVEL');
    expect(assessmentItem.variant).toBe('FULL');
    expectExactKeys(doc, assessmentItem, itemSchema);
    expectExactKeys(doc, noticeItem, itemSchema, ['assessmentId']);
    const lowInbox = await api('GET', '/api/v1/inbox', { token: lowOfficer });
    expect(lowInbox.body.items.find((i: { kind: string }) => i.kind === 'ASSESSMENT').variant).toBe('TEARLINE');
    await api('GET', '/api/v1/inbox', { token: auditor });
    await api('POST', '/api/v1/inbox/{id}/acknowledge', { token: officer, params: { id: assessmentItem.id } });

    const disseminations = await api('GET', '/api/v1/assessments/{id}/disseminations', { token: analyst, params: { id: assessmentId } });
    const dissSchema = documented(doc, 'GET', '/api/v1/assessments/{id}/disseminations', 200);
    expect(disseminations.body).toHaveLength(1);
    expectExactKeys(doc, disseminations.body[0], resolve(doc, dissSchema).items!);

    // The customs agency, once the worker has delivered its notice: a webhook set (and removed again, so
    // nothing is ever POSTed), then the notice made FAILED and redriven.
    const [notice] = await waitFor(
      () => t.ds.query<{ id: string }[]>(`SELECT id FROM dissemination WHERE agency_id = $1 AND status = 'DELIVERED'`, [customs.id]).then((r) => (r.length ? r : null)),
      'the customs notice to be delivered',
    );
    const webhook = await api('PUT', '/api/v1/agencies/{id}/webhook', { token: admin, params: { id: customs.id }, body: { url: 'https://hooks.example.org/fusion' } });
    expect(webhook.body.secret).toEqual(expect.any(String));
    await api('PUT', '/api/v1/agencies/{id}/webhook', { token: admin, params: { id: customs.id }, body: { url: 'https://hooks.example.org/fusion', secret: webhook.body.secret } });
    await t.ds.query(`UPDATE agency SET webhook_url = NULL, webhook_secret = NULL WHERE id = $1`, [customs.id]);
    await t.ds.query(`UPDATE dissemination SET status = 'FAILED' WHERE id = $1`, [notice.id]);
    const redriven = await api('POST', '/api/v1/disseminations/{id}/redrive', { token: supervisor, params: { id: notice.id } });
    expect(redriven.body.status).toBe('QUEUED');
  });

  it('four eyes (SPEC S1): a pending change (202), the list, approve, reject, a temporary password and its change', async () => {
    // A second ADMIN, made directly by the lone first one; from then on sensitive changes wait (202).
    const checkerName = `u${uniq().toLowerCase()}`;
    await api('POST', '/api/v1/users', { token: admin, body: { username: checkerName, password: PASSWORD, agencyId: cell.id, roles: ['ADMIN'], clearance: 'UNCLASSIFIED', compartments: [] } });
    const checker = await login(checkerName);
    const asked = await api('POST', '/api/v1/users', { token: admin, body: { username: `u${uniq().toLowerCase()}`, password: PASSWORD, agencyId: police.id, roles: ['OFFICER'], clearance: 'SECRET', compartments: [] } });
    expect(asked.status).toBe(202);
    const list = await api('GET', '/api/v1/admin/changes', { token: checker, query: { status: 'PENDING_APPROVAL' } });
    expectExactKeys(doc, list.body.items[0], documented(doc, 'GET', '/api/v1/admin/changes', 200).properties!.items.items!);
    const approved = await api('POST', '/api/v1/admin/changes/{id}/approve', { token: checker, params: { id: asked.body.changeId } });
    const reset = await api('PATCH', '/api/v1/users/{id}', { token: admin, params: { id: approved.body.result.id }, body: { password: 'temporary-password-0001' } });
    expect(reset.status).toBe(202);
    await api('POST', '/api/v1/admin/changes/{id}/approve', { token: checker, params: { id: reset.body.changeId } });
    const hook = await api('PUT', '/api/v1/agencies/{id}/webhook', { token: admin, params: { id: police.id }, body: { url: 'https://hooks.example.org/police' } });
    expect(hook.status).toBe(202);
    await api('POST', '/api/v1/admin/changes/{id}/reject', { token: checker, params: { id: hook.body.changeId } });
    const temporary = await api('POST', '/api/v1/auth/login', { body: { username: approved.body.result.username, password: 'temporary-password-0001' } });
    expect(temporary.body.passwordChangeRequired).toBe(true);
    await api('POST', '/api/v1/auth/password', { token: temporary.body.accessToken, body: { currentPassword: 'temporary-password-0001', newPassword: 'a-new-password-0001' } });
    // The police agency's ADMIN_NOTICE, as its inbox shows it.
    await waitFor(async () => {
      const inbox = await t.get('/api/v1/inbox', { token: officer });
      return inbox.body.items.some((i: { kind: string }) => i.kind === 'ADMIN_NOTICE') ? true : null;
    }, 'the admin notice');
    const inbox = await api('GET', '/api/v1/inbox', { token: officer });
    const notice = inbox.body.items.find((i: { kind: string }) => i.kind === 'ADMIN_NOTICE');
    expectExactKeys(doc, notice.content, { $ref: '#/components/schemas/AdminNoticeContentDto' }, notice.content.change === 'USER_CREATE' ? [] : ['userId']);
  });

  it('audit events: the real keys are exactly the documented properties', async () => {
    const page = await api('GET', '/api/v1/audit-events', { token: auditor, query: { limit: '2' } });
    const schema = documented(doc, 'GET', '/api/v1/audit-events', 200);
    expectExactKeys(doc, page.body, schema);
    expect(page.body.items).toHaveLength(2);
    expectExactKeys(doc, page.body.items[0], resolve(doc, schema).properties!.items.items!);
    const verified = await api('GET', '/api/v1/audit-events/verify', { token: auditor });
    expect(verified.body.valid).toBe(true);
    const receipt = await api('GET', '/api/v1/audit-events/head', { token: auditor });
    expect((await api('POST', '/api/v1/audit-events/verify-receipt', { token: auditor, body: receipt.body })).body.valid).toBe(true);
    expect((await api('GET', '/api/v1/audit-events/keys', {})).body.length).toBeGreaterThan(0);
  });

  it('every response seen matches its documented schema, key for key and type for type', () => {
    // Every JSON operation of the API was called at least once.
    const jsonOperations = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .filter((o) => !STREAMED.has(o));
    expect([...new Set(seen.map((s) => `${s.method} ${s.path}`))].sort()).toEqual(jsonOperations.sort());
    const wrong = seen.flatMap(({ method, path, res }) => {
      expect({ path, type: String(res.headers['content-type']) }).toEqual({ path, type: expect.stringMatching(/^application\/json/) });
      return mismatches(doc, res.body, documented(doc, method, path, res.status)).map((m) => `${method} ${path} → ${res.status}: ${m}`);
    });
    expect(wrong).toEqual([]);
  });

  it('an error answers the documented error body', async () => {
    const res = await t.get(`/api/v1/reports/${reportId}`, { token: auditor });
    expect(res.status).toBe(404);
    expect(mismatches(doc, res.body, documented(doc, 'GET', '/api/v1/reports/{id}', 404))).toEqual([]);
    const bad = await t.post('/api/v1/reports', { token: officer, body: reportBody({ title: '' }) });
    expect(bad.status).toBe(400);
    expect(mismatches(doc, bad.body, documented(doc, 'POST', '/api/v1/reports', 400))).toEqual([]);
  });

  it('these checks fail when a response schema is removed or drifts', () => {
    const copy = JSON.parse(JSON.stringify(doc)) as OpenApiDoc;
    delete copy.paths['/api/v1/reports'].get.responses['200'].content;
    expect(documentProblems(copy)).toEqual(['GET /api/v1/reports 200: no application/json schema']);
    const list = seen.find((s) => s.method === 'GET' && s.path === '/api/v1/reports')!;
    expect(() => documented(copy, 'GET', '/api/v1/reports', 200)).toThrow();

    delete copy.components.schemas.ReportDto.properties!.reviewDueAt;
    expect(mismatches(copy, list.res.body, documented(doc, 'GET', '/api/v1/reports', 200))).toEqual(['$.items[0].reviewDueAt: not documented']);
    copy.components.schemas.ReportDto.properties!.extra = { type: 'string' };
    copy.components.schemas.ReportDto.required!.push('extra');
    expect(mismatches(copy, list.res.body, documented(doc, 'GET', '/api/v1/reports', 200))).toEqual(
      expect.arrayContaining(['$.items[0].extra: documented as required, missing']),
    );
  });
});

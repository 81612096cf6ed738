import { type Res, TestApp } from './support/test-app';
import { Fixtures } from './support/agencies-and-users';
import { reportBody } from './support/report-body';
import { bodyCases, fieldCases, idCases } from './support/hostile-input/derived-cases';
import { dotted, getAt, json } from './support/hostile-input/payloads';
import { GET_ID_CASES, GET_ID_ROUTES, QUERY_ENDPOINTS } from './support/hostile-input/read-endpoints';
import { type Endpoint, type Send, SHAPE_WORLD, type Who, type World } from './support/hostile-input/types';
import { ENDPOINTS } from './support/hostile-input/write-endpoints';
import { assessmentBody } from './support/hostile-input/write-limits';

// Hostile input against every write endpoint (SPEC "Errors": bad input gets a clear 4xx naming the
// field; nothing a client sends may cause a 500). Each endpoint is one row of ENDPOINTS
// (support/hostile-input/write-endpoints.ts); the generic cases (wrong types, nulls, NUL bytes,
// prototype-pollution keys, unknown fields, top-level non-objects, malformed/huge/deep bodies, wrong
// content types, bad path ids) are derived from its valid body, one field at a time
// (support/hostile-input/derived-cases.ts). Endpoint-specific limits go in the row's `extra`.

/** The ways an error response can break the contract; [] when it keeps it. */
function errorProblems(res: Res, want: { status?: number; field?: string | null }, sentNul: boolean): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`a ${res.status}: a client's input caused a server error`);
  else if (res.status < 400) problems.push(`a ${res.status}: bad input was accepted`);
  if (want.status !== undefined && res.status !== want.status) problems.push(`status ${res.status}, expected ${want.status}`);
  if (res.status < 400) return problems;
  const body = res.body as Record<string, unknown> | undefined;
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) problems.push(`content-type ${String(res.headers['content-type'])}`);
  if (typeof body !== 'object' || body === null) return [...problems, 'the body is not a JSON object'];
  if (body.statusCode !== res.status) problems.push(`body.statusCode ${String(body.statusCode)} is not the HTTP status ${res.status}`);
  if (typeof body.error !== 'string' || !body.error) problems.push('body.error is not a string');
  if (typeof body.message !== 'string' || !body.message) problems.push('body.message is not a string');
  if (typeof body.requestId !== 'string' || !body.requestId) problems.push('body.requestId is missing');
  else if (body.requestId !== res.headers['x-request-id']) problems.push('body.requestId differs from the x-request-id header');
  if (/\bat .+:\d+:\d+\)|node_modules|QueryFailedError|\/src\//.test(res.text)) problems.push('the body leaks a stack trace or internals');
  const message = typeof body.message === 'string' ? body.message : '';
  if (res.status === 400 && want.field && !message.includes(want.field)) problems.push(`message does not name the field "${want.field}"`);
  if (!sentNul && /\bNUL\b/.test(message)) problems.push('message blames a NUL character the request did not contain');
  return problems;
}

const sentNul = (s: Send, url: string) =>
  [s.payload?.toString() ?? '', url, ...Object.values(s.headers ?? {})].some((x) => x.includes('\u0000') || x.includes('\\u0000') || /%00/.test(x));

const excerpt = (res: Res) => ({ status: res.status, body: res.text.length > 400 ? `${res.text.slice(0, 400)}…` : res.text });

describe('hostile input: every write endpoint answers a clear 4xx, never a 5xx', () => {
  let t: TestApp;
  let w: World;
  /** Reports the hostile officer really created (baselines and nulls read as absent). */
  let reportsCreated = 0;

  const tokenFor = (who: Who): string | undefined =>
    ({ anon: undefined, admin: w.admin, officer: w.officer.token, analyst: w.analyst.token, supervisor: w.supervisor.token, auditor: w.auditor.token })[who];

  async function send(ep: Endpoint, s: Send): Promise<{ res: Res; url: string }> {
    const id = s.id ?? (await ep.id?.(w)) ?? '';
    const url = ep.path.replace(':id', id);
    const res = await t.call(ep.method, url, { payload: s.payload, headers: s.headers, token: tokenFor(ep.as) });
    if (ep.method === 'POST' && ep.path === '/api/v1/reports' && res.status === 201) reportsCreated++;
    return { res, url };
  }

  beforeAll(async () => {
    t = await TestApp.start();
    const fx = new Fixtures(t);
    const agency = await fx.agency('POLICE', 'TOP_SECRET');
    const other = await fx.agency('CUSTOMS', 'TOP_SECRET');
    const cell = await fx.fusionCell();
    const officer = await fx.user(agency, ['OFFICER'], 'SECRET');
    const analyst = await fx.user(cell, ['ANALYST'], 'TOP_SECRET');
    const supervisor = await fx.user(cell, ['SUPERVISOR'], 'TOP_SECRET');
    const auditor = await fx.user(agency, ['AUDITOR'], 'SECRET');
    const report = await t.post('/api/v1/reports', { token: officer.token, body: reportBody() });
    if (report.status !== 201) throw new Error(`report → ${report.status} ${report.text}`);
    const base = { admin: await fx.admin(), officer, analyst, supervisor, auditor, agencyId: agency.id, agencyCode: agency.code, otherCode: other.code, reportId: report.body.id as string };
    const newDraft = async (): Promise<string> => {
      const res = await t.post('/api/v1/assessments', { token: analyst.token, body: assessmentBody({ ...SHAPE_WORLD, ...base }) });
      if (res.status !== 201) throw new Error(`assessment → ${res.status} ${res.text}`);
      return res.body.id as string;
    };
    const newInReview = async (): Promise<string> => {
      const id = await newDraft();
      const res = await t.post(`/api/v1/assessments/${id}/submit`, { token: analyst.token });
      if (res.status !== 200) throw new Error(`submit → ${res.status} ${res.text}`);
      return id;
    };
    // A webhook agency of its own, inactive so that no dissemination (e.g. another suite's threat-level
    // notice) is ever addressed to it, and nothing is POSTed to hooks.example.org.
    const webhookAgency = await fx.agency('OTHER', 'SECRET');
    await t.ds.query('UPDATE agency SET active = false WHERE id = $1', [webhookAgency.id]);
    // A dissemination to redrive: publishing creates one for our agency (PENDING/QUEUED; no worker runs here).
    const published = await newInReview();
    const pub = await t.post(`/api/v1/assessments/${published}/publish`, { token: supervisor.token });
    if (pub.status !== 200) throw new Error(`publish → ${pub.status} ${pub.text}`);
    const disseminations = await t.get(`/api/v1/assessments/${published}/disseminations`, { token: analyst.token });
    if (disseminations.status !== 200 || disseminations.body.length !== 1) throw new Error(`disseminations → ${disseminations.status} ${disseminations.text}`);
    w = { ...base, draftId: await newDraft(), newDraft, newInReview, webhookAgencyId: webhookAgency.id, disseminationId: disseminations.body[0].id as string };
  });
  afterAll(() => t.close());

  describe.each(ENDPOINTS.map((ep) => ({ ep, label: `${ep.method} ${ep.path}` })))('$label', ({ ep }) => {
    it(`accepts its valid request (${ep.ok}), so the cases below fail because of what they change`, async () => {
      const body = ep.body?.(w);
      const { res } = await send(ep, body ? json(body) : {});
      expect(excerpt(res)).toEqual({ status: ep.ok, body: expect.any(String) });
    });

    const cases = [...fieldCases(ep), ...(ep.extra ?? []), ...bodyCases(), ...idCases(ep)];
    it.each(cases.map((c) => ({ c, name: c.name.split('\u0000').join('\\u0000') })))('$name', async ({ c }) => {
      const s = c.send(ep.body?.(w));
      const { res, url } = await send(ep, s);
      if (c.absentOk && res.status < 300 && res.status >= 200) {
        // null read as "absent": the response must hold nothing there (or, on a PATCH, what was there).
        const stored = getAt(res.body, c.absentOk);
        const fine = [null, undefined, [], ...(ep.method === 'PATCH' ? [getAt(ep.body?.(w), c.absentOk)] : [])];
        const asAbsent = fine.some((f) => JSON.stringify(f) === JSON.stringify(stored));
        expect({ field: dotted(c.absentOk), stored, asAbsent }).toEqual({ field: dotted(c.absentOk), stored, asAbsent: true });
        return;
      }
      expect({ ...excerpt(res), problems: errorProblems(res, { status: c.status, field: c.field }, sentNul(s, url)) }).toEqual({
        ...excerpt(res),
        problems: [],
      });
    });
  });

  describe.each(QUERY_ENDPOINTS.map((q) => ({ q, label: `GET ${q.path} query parameters` })))('$label', ({ q }) => {
    it(`accepts its valid query (${q.valid || 'none'})`, async () => {
      const res = await t.get(q.valid ? `${q.path}?${q.valid}` : q.path, { token: tokenFor(q.as) });
      expect(excerpt(res)).toEqual({ status: 200, body: expect.any(String) });
    });

    const missing = (q.required ?? []).map((p): [string, string, string] => [`${p} missing`, '', p]);
    it.each([...q.cases, ...missing].map(([name, query, field]) => ({ name, query, field })))('$name → 400 naming $field', async ({ name, query, field }) => {
      // The case's parameters replace the valid query's parameters of the same name ("… missing": drop it).
      const given = new Set(name.endsWith(' missing') && !query ? [field] : query.split('&').map((p) => p.split('=')[0]));
      const rest = q.valid.split('&').filter((p) => p && !given.has(p.split('=')[0]));
      const url = `${q.path}?${[...rest, query].filter(Boolean).join('&')}`;
      // A streamed response (the audit export) can fail after its 200 was sent: that is a failure too.
      const res = await t.get(url, { token: tokenFor(q.as) }).catch((err: Error) => ({ status: 0, body: undefined, headers: {}, text: `request failed: ${err.message}` }));
      const problems = res.status === 0 ? [`the response was broken off: ${res.text}`] : errorProblems(res, { status: 400, field }, sentNul({}, url));
      expect({ ...excerpt(res), problems }).toEqual({ ...excerpt(res), problems: [] });
    });
  });

  describe.each(GET_ID_ROUTES.map(([path, as]) => ({ path, as, label: `GET ${path}` })))('$label', ({ path, as }) => {
    it.each(GET_ID_CASES.map(([name, id, field]) => ({ name, id, field })))('id $name → 4xx', async ({ id, field }) => {
      const url = path.replace(':id', id);
      const res = await t.get(url, { token: tokenFor(as) });
      const status = field ? 400 : undefined;
      expect({ ...excerpt(res), problems: errorProblems(res, { status, field }, sentNul({}, url)) }).toEqual({ ...excerpt(res), problems: [] });
    });
  });

  describe('afterwards', () => {
    it('rejected requests left nothing behind: the officer has exactly the reports that were answered 201', async () => {
      const [{ n }] = await t.ds.query<{ n: number }[]>('SELECT count(*)::int AS n FROM report WHERE created_by = $1', [w.officer.id]);
      // +1: the report made in beforeAll for the validate endpoint.
      expect(n).toBe(reportsCreated + 1);
    });

    it('no prototype was polluted in the API process', () => {
      const probe: Record<string, unknown> = {};
      expect(probe.polluted).toBeUndefined();
      expect(probe.isAdmin).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('the app is still healthy and still serves a normal request', async () => {
      expect((await t.get('/health')).status).toBe(200);
      expect((await t.get('/api/v1/auth/me', { token: w.officer.token })).status).toBe(200);
      const again = await t.post('/api/v1/reports', { token: w.officer.token, body: reportBody() });
      expect(again.status).toBe(201);
      reportsCreated++;
    });
  });
});

import { randomUUID } from 'node:crypto';
import { type Res, TestApp, uniq } from './support/test-app';
import { ADMIN_PASSWORD } from './support/test-env';
import { type Actor, Fixtures, PASSWORD } from './support/agencies-and-users';
import { reportBody } from './support/report-body';

/**
 * Hostile input against every write endpoint (SPEC "Errors": bad input gets a clear 4xx naming the
 * field; nothing a client sends may cause a 500). Each endpoint is one row of ENDPOINTS; the generic
 * cases (wrong types, nulls, NUL bytes, prototype-pollution keys, unknown fields, top-level non-objects,
 * malformed/huge/deep bodies, wrong content types, bad path ids) are derived from its valid body, one
 * field at a time. Endpoint-specific limits go in the row's `extra`.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
type Path = (string | number)[];
type Who = 'anon' | 'admin' | 'officer' | 'analyst' | 'supervisor' | 'auditor';

/** What the cases run against: made once in beforeAll. */
interface World {
  admin: string;
  /** An OFFICER of `agencyId`. */
  officer: Actor;
  /** Fusion-cell ANALYST (author of the drafts below) and SUPERVISOR. */
  analyst: Actor;
  supervisor: Actor;
  auditor: Actor;
  agencyId: string;
  agencyCode: string;
  /** The code of another agency, for releasableTo. */
  otherCode: string;
  /** A report of the officer's own agency (so POST …/:id/validate is allowed). */
  reportId: string;
  /** A draft assessment by the analyst. */
  draftId: string;
  /** An agency of its own for PUT …/webhook (inactive, so nothing is ever delivered to the test URL). */
  webhookAgencyId: string;
  /** A dissemination of a published assessment: PENDING or QUEUED (no worker here), never FAILED. */
  disseminationId: string;
  /** A fresh draft by the analyst / a fresh one submitted for review: state-changing routes get one per case. */
  newDraft: () => Promise<string>;
  newInReview: () => Promise<string>;
}

interface Send {
  payload?: string | Buffer;
  headers?: Record<string, string>;
  /** Raw (already URL-encoded) value for the route's :id. */
  id?: string;
}

interface Case {
  name: string;
  send: (valid: Obj | undefined) => Send;
  /** The exact status expected; any 4xx when omitted. */
  status?: number;
  /** A 400's `message` must contain this (the offending field, with its full path). */
  field?: string;
  /**
   * A null sent for an optional field: class-validator's @IsOptional reads null as "absent". Accepted
   * either as 400 naming the field, or as a 2xx whose response holds the field as absent (null or []),
   * or, on a PATCH, unchanged.
   */
  absentOk?: Path;
}

interface Endpoint {
  method: 'POST' | 'PUT' | 'PATCH';
  /** The route, with `:id` where it takes one. */
  path: string;
  /** Who calls it: a caller that IS allowed to, so we test input handling and not authorisation. */
  as: Who;
  id?: (w: World) => string | Promise<string>;
  /** A valid body (fresh on every call); omitted when the route takes no body. */
  body?: (w: World) => Obj;
  /** Dotted paths of fields that may be omitted. */
  optional?: string[];
  /** When a required field is missing, the message may name a related field instead (dotted path → name). */
  missingNames?: Record<string, string>;
  /** The status of the valid request. */
  ok: number;
  extra?: Case[];
}

// ---------------------------------------------------------------------------------------------------
// Payload helpers

const MiB = 1024 * 1024;
const DEPTH = 10_000;
const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);

const json = (v: unknown): Send => ({ payload: JSON.stringify(v) });
const dotted = (p: Path): string => p.join('.');
/** The field a message should name: a replaced array element is named by its array. */
const fieldOf = (p: Path): string => dotted(p).replace(/(\.\d+)+$/, '');

function clone<T>(v: T): T {
  return structuredClone(v);
}

function getAt(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((acc, k) => (acc !== null && typeof acc === 'object' ? (acc as Record<string, unknown>)[k] : undefined), v);
}

/** A copy of `body` with the node at `p` replaced (or deleted when `value` is DELETE). */
const DELETE = Symbol('delete');
function withAt(body: Obj, p: Path, value: Json | typeof DELETE): Obj {
  const out = clone(body);
  const parent = getAt(out, p.slice(0, -1)) as Record<string | number, Json>;
  const key = p[p.length - 1];
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else {
    parent[key] = value;
  }
  return out;
}

/** Adds an own property (also `__proto__`, which plain assignment would not create). */
function withKey(body: Obj, p: Path, key: string, value: Json): Obj {
  const out = clone(body);
  const target = p.length ? (getAt(out, p) as Obj) : out;
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return out;
}

/** Every node below the root (containers and leaves); arrays contribute their first element. */
function nodes(v: Json, path: Path = []): { path: Path; value: Json }[] {
  const here = path.length ? [{ path, value: v }] : [];
  if (Array.isArray(v)) return [...here, ...(v.length ? nodes(v[0], [...path, 0]) : [])];
  if (v !== null && typeof v === 'object') return [...here, ...Object.entries(v).flatMap(([k, x]) => nodes(x, [...path, k]))];
  return here;
}

/** Values of the wrong JSON type for a node: number for string, string for number, object for array… */
function wrongTypes(v: Json): [string, Json][] {
  if (typeof v === 'string') return [['a number', 12345], ['an object', { value: v }]];
  if (typeof v === 'number')
    return [['a string', String(v)], ['the string "NaN"', 'NaN'], ['the string "Infinity"', 'Infinity'], ['a boolean', true]];
  if (typeof v === 'boolean') return [['a string', String(v)]];
  if (Array.isArray(v)) return [['an object', { 0: v[0] ?? 'X' }], ['a string', 'X']];
  if (v !== null && typeof v === 'object') return [['an array', [v]], ['a string', 'X']];
  return [];
}

function formEncoded(body: Obj | undefined): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body ?? { field: 'value' })) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === null || typeof item !== 'object') form.append(k, String(item));
    }
  }
  return form.toString();
}

/** The valid body with one field replaced by raw JSON text (for tokens JSON.stringify cannot write). */
function withRaw(body: Obj | undefined, key: string, raw: string): string {
  const marker = `__RAW_${randomUUID()}__`;
  return JSON.stringify({ ...(body ?? {}), [key]: marker }).replace(`"${marker}"`, raw);
}

// ---------------------------------------------------------------------------------------------------
// Cases derived from an endpoint's valid body

const SHAPE_ACTOR: Actor = { id: '', username: '', token: '', agency: { id: '', code: '', kind: 'POLICE', accreditation: 'SECRET' }, roles: [], clearance: 'SECRET', compartments: [] };
const SHAPE_WORLD: World = {
  admin: '',
  officer: SHAPE_ACTOR,
  analyst: SHAPE_ACTOR,
  supervisor: SHAPE_ACTOR,
  auditor: SHAPE_ACTOR,
  agencyId: randomUUID(),
  agencyCode: 'AGENCY',
  otherCode: 'OTHER',
  reportId: randomUUID(),
  draftId: randomUUID(),
  webhookAgencyId: randomUUID(),
  disseminationId: randomUUID(),
  newDraft: () => Promise.resolve(randomUUID()),
  newInReview: () => Promise.resolve(randomUUID()),
};

function fieldCases(ep: Endpoint): Case[] {
  if (!ep.body) return [];
  const template = ep.body(SHAPE_WORLD);
  const optional = new Set(ep.optional ?? []);
  const isOptional = (p: Path) => optional.has(dotted(p));
  const cases: Case[] = [];
  for (const { path, value } of nodes(template)) {
    const name = dotted(path);
    const field = fieldOf(path);
    for (const [what, bad] of wrongTypes(value)) {
      cases.push({ name: `${name}: ${what} instead of ${Array.isArray(value) ? 'an array' : typeof value}`, send: (b) => json(withAt(b!, path, bad)), status: 400, field });
    }
    cases.push(
      isOptional(path)
        ? { name: `${name}: null (optional field)`, send: (b) => json(withAt(b!, path, null)), absentOk: path, field }
        : { name: `${name}: null`, send: (b) => json(withAt(b!, path, null)), status: 400, field },
    );
    if (typeof value === 'string') {
      cases.push({
        name: `${name}: NUL byte inside the string`,
        send: (b) => json(withAt(b!, path, `${value.slice(0, 1)}\u0000${value.slice(1)}`)),
        status: 400,
        field,
      });
      cases.push({
        name: `${name}: unpaired UTF-16 surrogate inside the string`,
        send: (b) => json(withAt(b!, path, `${value.slice(0, 1)}\ud800${value.slice(1)}`)),
        status: 400,
        field,
      });
    }
    if (!isOptional(path) && typeof path[path.length - 1] === 'string') {
      cases.push({ name: `${name}: missing`, send: (b) => json(withAt(b!, path, DELETE)), status: 400, field: ep.missingNames?.[name] ?? dotted(path) });
    }
  }
  // Per object (the root and every nested object): unknown fields, NUL in a key, prototype pollution.
  const objects: Path[] = [[], ...nodes(template).filter((n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value)).map((n) => n.path)];
  for (const at of objects) {
    const where = at.length ? `inside ${dotted(at)}` : 'at top level';
    const prefix = at.length ? `${dotted(at)}.` : '';
    cases.push(
      { name: `unknown field ${where}`, send: (b) => json(withKey(b!, at, 'hostileExtra', 1)), status: 400, field: `${prefix}hostileExtra` },
      { name: `NUL byte in a key ${where}`, send: (b) => json(withKey(b!, at, 'ev\u0000il', 'x')), status: 400, field: `${prefix}ev\u0000il` },
      { name: `__proto__ key ${where}`, send: (b) => json(withKey(b!, at, '__proto__', { polluted: 'yes', isAdmin: true })), status: 400 },
      {
        name: `constructor.prototype ${where}`,
        send: (b) => json(withKey(b!, at, 'constructor', { prototype: { polluted: 'yes', isAdmin: true } })),
        status: 400,
      },
      { name: `"constructor" as a plain unknown field ${where}`, send: (b) => json(withKey(b!, at, 'constructor', 'x')), status: 400, field: `${prefix}constructor` },
    );
  }
  cases.push({
    name: 'a field nested 10,000 levels deep',
    send: (b) => ({ payload: withRaw(b, Object.keys(template)[0], deepObject) }),
  });
  return cases;
}

/** Cases about the body as a whole: every write endpoint gets them, with or without a body of its own. */
function bodyCases(): Case[] {
  return [
    { name: 'unknown field in an otherwise valid body', send: (b) => json({ ...(b ?? {}), hostileExtra: 'x' }), status: 400, field: 'hostileExtra' },
    { name: '"toString" as an unknown field', send: (b) => json({ ...(b ?? {}), toString: 'x' }), status: 400, field: 'toString' },
    { name: '"hasOwnProperty" as an unknown field', send: (b) => json({ ...(b ?? {}), hasOwnProperty: 'x' }), status: 400, field: 'hasOwnProperty' },
    { name: 'top-level array', send: (b) => json([b ?? {}]), status: 400, field: 'body' },
    { name: 'top-level string', send: () => json('a string'), status: 400, field: 'body' },
    { name: 'top-level number', send: () => json(42), status: 400, field: 'body' },
    { name: 'top-level null', send: () => ({ payload: 'null' }), status: 400, field: 'body' },
    { name: 'top-level boolean', send: () => ({ payload: 'true' }), status: 400, field: 'body' },
    { name: 'top-level __proto__', send: () => ({ payload: '{"__proto__":{"polluted":"yes","isAdmin":true}}' }), status: 400 },
    { name: 'top-level constructor.prototype', send: () => ({ payload: '{"constructor":{"prototype":{"polluted":"yes"}}}' }), status: 400 },
    { name: 'malformed JSON: truncated', send: (b) => ({ payload: JSON.stringify(b ?? { a: 1 }).slice(0, -3) }), status: 400 },
    { name: 'malformed JSON: single quotes', send: () => ({ payload: "{'a': 1}" }), status: 400 },
    { name: 'malformed JSON: trailing comma', send: () => ({ payload: '{"a": 1,}' }), status: 400 },
    { name: 'malformed JSON: bare NaN', send: (b) => ({ payload: withRaw(b, 'a', 'NaN') }), status: 400 },
    { name: 'empty body declared as JSON', send: () => ({ payload: '' }), status: 400 },
    { name: 'array nested 10,000 levels deep', send: () => ({ payload: deepArray }) },
    { name: 'object nested 10,000 levels deep', send: () => ({ payload: deepObject }) },
    {
      name: '1,000 unknown fields',
      send: (b) => json({ ...(b ?? {}), ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`junk${i}`, i])) }),
      status: 400,
      field: 'junk999',
    },
    { name: 'a 100,000-character key', send: (b) => json({ ...(b ?? {}), ['k'.repeat(100_000)]: 1 }), status: 400 },
    { name: 'body over 1 MiB (valid JSON)', send: (b) => json({ ...(b ?? {}), padding: 'x'.repeat(MiB + 1024) }), status: 413 },
    { name: 'body over 1 MiB (not JSON)', send: () => ({ payload: Buffer.alloc(MiB + 1024, 0x41) }), status: 413 },
    { name: 'content-type text/plain (JSON text)', send: (b) => ({ payload: JSON.stringify(b ?? { a: 1 }), headers: { 'content-type': 'text/plain' } }) },
    { name: 'content-type application/xml', send: () => ({ payload: '<a>1</a>', headers: { 'content-type': 'application/xml' } }) },
    {
      name: 'content-type application/x-www-form-urlencoded (the valid fields, form-encoded)',
      send: (b) => ({ payload: formEncoded(b), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    },
    {
      name: 'content-type multipart/form-data',
      send: () => ({
        payload: '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=B' },
      }),
    },
  ];
}

/** Bad values for the route's :id (sent with the otherwise valid body). */
function idCases(ep: Endpoint): Case[] {
  if (!ep.path.includes(':id')) return [];
  const withBody = (b: Obj | undefined, id: string): Send => ({ ...(b ? json(b) : {}), id });
  return [
    { name: ':id not a UUID', send: (b) => withBody(b, 'not-a-uuid'), status: 400, field: 'id' },
    { name: ':id with a NUL byte', send: (b) => withBody(b, '%00'), status: 400, field: 'id' },
    { name: ':id SQL injection', send: (b) => withBody(b, encodeURIComponent("1' OR '1'='1")), status: 400, field: 'id' },
    { name: ':id UUID with trailing junk', send: (b) => withBody(b, `${randomUUID()}x`), status: 400, field: 'id' },
    { name: ':id with broken percent-encoding', send: (b) => withBody(b, '%E0%A4%A'), status: 400 },
    { name: ':id of 1,000 characters', send: (b) => withBody(b, 'x'.repeat(1000)) },
  ];
}

const longString = (n: number) => 'x'.repeat(n);

/**
 * A valid assessment. REGIONAL and distributed to our own agency only: the threat-level recommendation
 * counts NATIONAL assessments, and fusion.e2e-spec (run in parallel on the same database) steers it.
 */
function assessmentBody(w: World): Obj {
  return {
    title: 'Hostile-input test assessment',
    keyJudgements: ['Precursor purchases are linked'],
    body: 'Police reporting indicates coordinated purchases.',
    likelihood: 'LIKELY',
    recommendedLevel: 'MODERATE',
    scope: 'REGIONAL',
    region: 'HOSTILE-INPUT',
    sectors: ['TRANSPORT'],
    reportIds: [w.reportId],
    classification: 'SECRET',
    compartments: [],
    tlp: 'AMBER',
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    distribution: { agencyCodes: [w.agencyCode] },
    tearline: { summary: 'Report suspicious purchases of precursors.', classification: 'RESTRICTED', tlp: 'GREEN' },
  };
}

const ASSESSMENT_FIELDS = Object.keys(assessmentBody(SHAPE_WORLD));

const ASSESSMENT_EXTRAS: Case[] = [
  { name: 'title of 201 characters', send: (b) => json({ ...b, title: longString(201) }), status: 400, field: 'title' },
  { name: 'body of 50,001 characters', send: (b) => json({ ...b, body: longString(50_001) }), status: 400, field: 'body' },
  { name: '21 key judgements', send: (b) => json({ ...b, keyJudgements: Array.from({ length: 21 }, (_, i) => `J${i}`) }), status: 400, field: 'keyJudgements' },
  { name: 'a key judgement of 2,001 characters', send: (b) => json({ ...b, keyJudgements: [longString(2001)] }), status: 400, field: 'keyJudgements' },
  { name: 'an empty key judgement', send: (b) => json({ ...b, keyJudgements: [''] }), status: 400, field: 'keyJudgements' },
  { name: 'unknown likelihood', send: (b) => json({ ...b, likelihood: 'MAYBE' }), status: 400, field: 'likelihood' },
  { name: 'unknown recommendedLevel', send: (b) => json({ ...b, recommendedLevel: 'APOCALYPTIC' }), status: 400, field: 'recommendedLevel' },
  { name: 'unknown scope', send: (b) => json({ ...b, scope: 'GALACTIC' }), status: 400, field: 'scope' },
  { name: 'REGIONAL without a region', send: (b) => json({ ...b, region: undefined }), status: 400, field: 'region' },
  { name: 'region of 101 characters', send: (b) => json({ ...b, region: longString(101) }), status: 400, field: 'region' },
  { name: 'reportIds holding a non-UUID', send: (b) => json({ ...b, reportIds: ["1' OR '1'='1"] }), status: 400, field: 'reportIds' },
  { name: '201 reportIds', send: (b) => json({ ...b, reportIds: Array.from({ length: 201 }, () => randomUUID()) }), status: 400, field: 'reportIds' },
  { name: 'duplicate reportIds', send: (b) => json({ ...b, reportIds: [b!.reportIds, b!.reportIds].flat() }), status: 400, field: 'reportIds' },
  { name: 'validUntil not a date', send: (b) => json({ ...b, validUntil: 'next week' }), status: 400, field: 'validUntil' },
  { name: 'validUntil 30 February', send: (b) => json({ ...b, validUntil: '2027-02-30T00:00:00Z' }), status: 400, field: 'validUntil' },
  { name: 'validUntil a week date', send: (b) => json({ ...b, validUntil: '2027-W05-1' }), status: 400, field: 'validUntil' },
  { name: 'distribution {}', send: (b) => json({ ...b, distribution: {} }), status: 400, field: 'distribution' },
  { name: 'distribution {all: false}', send: (b) => json({ ...b, distribution: { all: false } }), status: 400, field: 'distribution.all' },
  { name: 'distribution {all: "true"}', send: (b) => json({ ...b, distribution: { all: 'true' } }), status: 400, field: 'distribution.all' },
  { name: 'distribution to an unknown agency', send: (b) => json({ ...b, distribution: { agencyCodes: ['NO-SUCH-AGENCY'] } }), status: 400, field: 'distribution.agencyCodes' },
  { name: 'distribution with both agencyCodes and all', send: (b) => json({ ...b, distribution: { ...(b!.distribution as Obj), all: true } }), status: 400, field: 'distribution.all' },
  { name: 'distribution to no agency', send: (b) => json({ ...b, distribution: { agencyCodes: [] } }), status: 400, field: 'distribution.agencyCodes' },
  { name: 'supersedes not a UUID', send: (b) => json({ ...b, supersedes: 'not-a-uuid' }), status: 400, field: 'supersedes' },
  { name: 'tearline summary of 5,001 characters', send: (b) => json({ ...b, tearline: { ...(b!.tearline as Obj), summary: longString(5001) } }), status: 400, field: 'tearline.summary' },
  { name: 'tearline with an unknown classification', send: (b) => json({ ...b, tearline: { ...(b!.tearline as Obj), classification: 'COSMIC' } }), status: 400, field: 'tearline.classification' },
];

/** PUT /api/v1/agencies/:id/webhook: URLs a webhook may not have (SSRF, other schemes) and bad secrets. */
const WEBHOOK_URL_CASES: [string, string][] = [
  ['an ftp URL', 'ftp://hooks.example.org/x'],
  ['a file URL', 'file:///etc/passwd'],
  ['a javascript URL', 'javascript:alert(1)'],
  ['a data URL', 'data:text/plain,hello'],
  ['a relative URL', '/hooks/x'],
  ['a bare host name', 'hooks.example.org'],
  ['localhost with a trailing dot', 'http://localhost./x'],
  ['a .internal name with a trailing dot', 'https://hooks.corp.internal./x'],
  ['an empty URL', ''],
  ['a URL of 2,049 characters', `https://hooks.example.org/${'x'.repeat(2049 - 'https://hooks.example.org/'.length)}`],
  ['a URL with credentials', 'https://user:secret@hooks.example.org/x'],
  ['loopback 127.0.0.1', 'http://127.0.0.1:8080/x'],
  ['loopback 127.0.0.1 written as a decimal number', 'http://2130706433/x'],
  ['loopback 127.0.0.1 written in hex', 'http://0x7f.0x0.0x0.0x1/x'],
  ['loopback ::1', 'http://[::1]/x'],
  ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/x'],
  ['0.0.0.0', 'http://0.0.0.0/x'],
  ['private 10.0.0.1', 'https://10.0.0.1/x'],
  ['private 192.168.1.1', 'https://192.168.1.1/x'],
  ['private 172.16.0.1', 'https://172.16.0.1/x'],
  ['link-local cloud metadata 169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
  ['IPv6 link-local fe80::1', 'http://[fe80::1]/x'],
  ['IPv6 unique-local fd00::1', 'http://[fd00::1]/x'],
  ['localhost', 'http://localhost:3000/x'],
  ['a *.localhost name', 'http://api.localhost/x'],
  ['a *.internal name', 'http://metadata.google.internal/x'],
  ['a URL with a line break (header injection)', 'https://hooks.example.org/x\r\nX-Injected: 1'],
  ['a URL with a tab inside the host', 'https://hooks.exa\tmple.org/x'],
];

const secretOf = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;

const WEBHOOK_EXTRAS: Case[] = [
  ...WEBHOOK_URL_CASES.map(([what, url]): Case => ({ name: `url: ${what}`, send: (b) => json({ ...b, url }), status: 400, field: 'url' })),
  { name: 'secret: a number', send: (b) => json({ ...b, secret: 12345 }), status: 400, field: 'secret' },
  { name: 'secret: an object', send: (b) => json({ ...b, secret: { value: secretOf(32) } }), status: 400, field: 'secret' },
  // Optional, but null is not "generate one for me" by the SPEC either: any 4xx naming it.
  { name: 'secret: null', send: (b) => json({ ...b, secret: null }), field: 'secret' },
  { name: 'secret: empty', send: (b) => json({ ...b, secret: '' }), status: 400, field: 'secret' },
  { name: 'secret: without the whsec_ prefix', send: (b) => json({ ...b, secret: Buffer.alloc(32, 7).toString('base64') }), status: 400, field: 'secret' },
  { name: 'secret: whsec_ and 23 bytes', send: (b) => json({ ...b, secret: secretOf(23) }), status: 400, field: 'secret' },
  { name: 'secret: whsec_ and 65 bytes', send: (b) => json({ ...b, secret: secretOf(65) }), status: 400, field: 'secret' },
  { name: 'secret: whsec_ and not base64', send: (b) => json({ ...b, secret: `whsec_${'!'.repeat(40)}` }), status: 400, field: 'secret' },
  { name: 'secret: of 201 characters', send: (b) => json({ ...b, secret: `whsec_${'A'.repeat(195)}` }), status: 400, field: 'secret' },
  { name: 'secret: with a NUL byte', send: (b) => json({ ...b, secret: `${secretOf(32)}\u0000` }), status: 400, field: 'secret' },
  { name: 'an agency id that does not exist', send: (b) => ({ ...json(b), id: randomUUID() }), status: 404 },
];

const ENDPOINTS: Endpoint[] = [
  {
    method: 'POST',
    path: '/api/v1/auth/login',
    as: 'anon',
    body: () => ({ username: 'admin', password: ADMIN_PASSWORD }),
    ok: 200,
    extra: [
      { name: 'username of 65 characters', send: (b) => json({ ...b, username: longString(65) }), status: 400, field: 'username' },
      { name: 'empty username', send: (b) => json({ ...b, username: '' }), status: 400, field: 'username' },
      { name: 'password of 257 characters', send: (b) => json({ ...b, password: longString(257) }), status: 400, field: 'password' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/agencies',
    as: 'admin',
    body: () => ({ code: uniq('HX'), name: 'Hostile Input Agency', kind: 'POLICE', accreditation: 'SECRET' }),
    ok: 201,
    extra: [
      { name: 'code with spaces', send: (b) => json({ ...b, code: 'NOT VALID' }), status: 400, field: 'code' },
      { name: 'code of 33 characters', send: (b) => json({ ...b, code: `A${'B'.repeat(32)}` }), status: 400, field: 'code' },
      { name: 'name of 201 characters', send: (b) => json({ ...b, name: longString(201) }), status: 400, field: 'name' },
      { name: 'empty name', send: (b) => json({ ...b, name: '' }), status: 400, field: 'name' },
      { name: 'unknown kind', send: (b) => json({ ...b, kind: 'ALIENS' }), status: 400, field: 'kind' },
      { name: 'unknown accreditation', send: (b) => json({ ...b, accreditation: 'COSMIC' }), status: 400, field: 'accreditation' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/users',
    as: 'admin',
    body: (w) => ({ username: `h${uniq().toLowerCase()}`, password: PASSWORD, agencyId: w.agencyId, roles: ['OFFICER'], clearance: 'SECRET', compartments: [] }),
    ok: 202, // a sensitive change, waiting for the fixtures' second ADMIN (SPEC S1 four eyes)
    extra: [
      { name: 'password of 11 characters', send: (b) => json({ ...b, password: longString(11) }), status: 400, field: 'password' },
      { name: 'password of 257 characters', send: (b) => json({ ...b, password: longString(257) }), status: 400, field: 'password' },
      { name: 'username of 65 characters', send: (b) => json({ ...b, username: longString(65) }), status: 400, field: 'username' },
      { name: 'username with a slash', send: (b) => json({ ...b, username: 'a/../admin' }), status: 400, field: 'username' },
      { name: 'agencyId not a UUID', send: (b) => json({ ...b, agencyId: 'not-a-uuid' }), status: 400, field: 'agencyId' },
      { name: 'no roles', send: (b) => json({ ...b, roles: [] }), status: 400, field: 'roles' },
      { name: 'unknown role', send: (b) => json({ ...b, roles: ['ROOT'] }), status: 400, field: 'roles' },
      { name: 'duplicate roles', send: (b) => json({ ...b, roles: ['OFFICER', 'OFFICER'] }), status: 400, field: 'roles' },
      { name: 'unknown clearance', send: (b) => json({ ...b, clearance: 'COSMIC' }), status: 400, field: 'clearance' },
      { name: 'lower-case compartment', send: (b) => json({ ...b, compartments: ['humint'] }), status: 400, field: 'compartments' },
      { name: '5,000 compartments', send: (b) => json({ ...b, compartments: Array.from({ length: 5000 }, (_, i) => `C${i}`) }), status: 400, field: 'compartments' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/reports',
    as: 'officer',
    body: (w) => reportBody({ releasableTo: [w.otherCode] }),
    optional: ['location', 'location.placeName', 'location.region', 'location.lat', 'location.lon', 'releasableTo', 'sourceDescription', 'entities'],
    ok: 201,
    extra: [
      { name: 'title of 201 characters', send: (b) => json({ ...b, title: longString(201) }), status: 400, field: 'title' },
      { name: 'empty title', send: (b) => json({ ...b, title: '' }), status: 400, field: 'title' },
      { name: 'narrative of 20,001 characters', send: (b) => json({ ...b, narrative: longString(20_001) }), status: 400, field: 'narrative' },
      {
        name: '5,000 entities',
        send: (b) => json({ ...b, entities: Array.from({ length: 5000 }, (_, i) => ({ type: 'PHONE', value: `+44 7700 9${String(i).padStart(5, '0')}` })) }),
        status: 400,
        field: 'entities',
      },
      { name: 'location.lat 91', send: (b) => json({ ...b, location: { lat: 91, lon: 0 } }), status: 400, field: 'location.lat' },
      { name: 'location.lat -90.0001', send: (b) => json({ ...b, location: { lat: -90.0001, lon: 0 } }), status: 400, field: 'location.lat' },
      { name: 'location.lon -181', send: (b) => json({ ...b, location: { lat: 0, lon: -181 } }), status: 400, field: 'location.lon' },
      { name: 'location.lon 180.5', send: (b) => json({ ...b, location: { lat: 0, lon: 180.5 } }), status: 400, field: 'location.lon' },
      { name: 'location.lat "NaN"', send: (b) => json({ ...b, location: { lat: 'NaN', lon: 0 } }), status: 400, field: 'location.lat' },
      { name: 'location.lon "-Infinity"', send: (b) => json({ ...b, location: { lat: 0, lon: '-Infinity' } }), status: 400, field: 'location.lon' },
      { name: 'location.lat "51.5" (numeric string)', send: (b) => json({ ...b, location: { lat: '51.5', lon: 0 } }), status: 400, field: 'location.lat' },
      {
        name: 'location.lat 1e999 (overflows to Infinity)',
        send: (b) => ({ payload: withRaw(b, 'location', '{"lat":1e999,"lon":0}') }),
        status: 400,
        field: 'location.lat',
      },
      { name: 'location.placeName of 201 characters', send: (b) => json({ ...b, location: { placeName: longString(201) } }), status: 400, field: 'location.placeName' },
      { name: 'occurredAt not a date', send: (b) => json({ ...b, occurredAt: 'not-a-date' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt month 13', send: (b) => json({ ...b, occurredAt: '2026-13-01T00:00:00Z' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt 30 February', send: (b) => json({ ...b, occurredAt: '2026-02-30T00:00:00Z' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt year 0000', send: (b) => json({ ...b, occurredAt: '0000-01-01T00:00:00Z' }), status: 400, field: 'occurredAt' },
      { name: 'occurredAt as epoch millis', send: (b) => json({ ...b, occurredAt: 1_790_000_000_000 }), status: 400, field: 'occurredAt' },
      // ISO-8601 shapes class-validator took and JavaScript cannot parse (each was a 500), and an offset PostgreSQL refuses.
      ...['2026-W05-1', '2026-123', '20261120T140000Z', '2026-11-20T14', '2026-11-20T1400Z', '2026-11-20T14:00:00,5Z', '2026-11-20T14:00:00+05', '2026-11-20T14:00:00+16:00'].map(
        (v): Case => ({ name: `occurredAt ${v}`, send: (b) => json({ ...b, occurredAt: v }), status: 400, field: 'occurredAt' }),
      ),
      { name: 'occurredAt year 10000 once in UTC', send: (b) => json({ ...b, occurredAt: '9999-12-31T23:59:59-01:00' }), status: 400, field: 'occurredAt' },
      {
        name: 'entity whose NFKC form outgrows the index (500 × U+FDFA)',
        send: (b) => json({ ...b, entities: [{ type: 'PERSON', value: '\ufdfa'.repeat(500) }] }),
        status: 400,
        field: 'entities.0.value',
      },
      { name: 'unknown category', send: (b) => json({ ...b, category: 'ALIENS' }), status: 400, field: 'category' },
      { name: 'informationCredibility 0', send: (b) => json({ ...b, informationCredibility: 0 }), status: 400, field: 'informationCredibility' },
      { name: 'informationCredibility 7', send: (b) => json({ ...b, informationCredibility: 7 }), status: 400, field: 'informationCredibility' },
      { name: 'informationCredibility 2.5', send: (b) => json({ ...b, informationCredibility: 2.5 }), status: 400, field: 'informationCredibility' },
      { name: 'informationCredibility 1e308', send: (b) => json({ ...b, informationCredibility: 1e308 }), status: 400, field: 'informationCredibility' },
      { name: 'sourceReliability "Z"', send: (b) => json({ ...b, sourceReliability: 'Z' }), status: 400, field: 'sourceReliability' },
      { name: 'unknown classification', send: (b) => json({ ...b, classification: 'COSMIC' }), status: 400, field: 'classification' },
      { name: 'unknown tlp', send: (b) => json({ ...b, tlp: 'PURPLE' }), status: 400, field: 'tlp' },
      { name: 'lower-case compartment', send: (b) => json({ ...b, compartments: ['humint'] }), status: 400, field: 'compartments' },
      { name: 'compartments holding a number', send: (b) => json({ ...b, compartments: [7] }), status: 400, field: 'compartments' },
      { name: 'releasableTo an unknown agency', send: (b) => json({ ...b, releasableTo: ['NO-SUCH-AGENCY'] }), status: 400, field: 'releasableTo' },
      { name: 'releasableTo holding null', send: (b) => json({ ...b, releasableTo: [null] }), status: 400, field: 'releasableTo' },
      { name: 'blank suspicionBasis', send: (b) => json({ ...b, suspicionBasis: '   \t\n ' }), status: 400, field: 'suspicionBasis' },
      { name: 'unknown entity type', send: (b) => json({ ...b, entities: [{ type: 'ALIEN', value: 'x' }] }), status: 400, field: 'entities.0.type' },
      { name: 'entity IP 999.1.1.1', send: (b) => json({ ...b, entities: [{ type: 'IP', value: '999.1.1.1' }] }), status: 400, field: 'entities.0.value' },
      { name: 'entity value of 501 characters', send: (b) => json({ ...b, entities: [{ type: 'PERSON', value: longString(501) }] }), status: 400, field: 'entities.0.value' },
      { name: 'entity that is a string', send: (b) => json({ ...b, entities: ['PHONE'] }), status: 400, field: 'entities' },
      { name: 'entity that is null', send: (b) => json({ ...b, entities: [null] }), status: 400, field: 'entities' },
      { name: 'Idempotency-Key of 256 characters', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'k'.repeat(256) } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with \\u0001', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key\u0001x' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with a tab', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key\tx' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with DEL', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key\u007fx' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with a space', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'key x' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key with Latin-1', send: (b) => ({ ...json(b), headers: { 'idempotency-key': 'cl\u00e9' } }), status: 400, field: 'Idempotency-Key' },
      { name: 'empty Idempotency-Key', send: (b) => ({ ...json(b), headers: { 'idempotency-key': '' } }), status: 400, field: 'Idempotency-Key' },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/reports/:id/validate',
    as: 'officer',
    id: (w) => w.reportId,
    ok: 200,
  },
  {
    method: 'POST',
    path: '/api/v1/assessments',
    as: 'analyst',
    body: assessmentBody,
    optional: ['tearline'],
    missingNames: { 'distribution.agencyCodes': 'distribution' },
    ok: 201,
    extra: ASSESSMENT_EXTRAS,
  },
  {
    method: 'PATCH',
    path: '/api/v1/assessments/:id',
    as: 'analyst',
    id: (w) => w.draftId,
    body: assessmentBody,
    // PATCH: every top-level field may be left out.
    optional: ASSESSMENT_FIELDS,
    missingNames: { 'distribution.agencyCodes': 'distribution' },
    ok: 200,
    // A PATCH merges with the stored draft, which has a region: leaving it out is not an error.
    extra: ASSESSMENT_EXTRAS.filter((c) => c.name !== 'REGIONAL without a region'),
  },
  { method: 'POST', path: '/api/v1/assessments/:id/submit', as: 'analyst', id: (w) => w.newDraft(), ok: 200 },
  { method: 'POST', path: '/api/v1/assessments/:id/publish', as: 'supervisor', id: (w) => w.newInReview(), ok: 200 },
  {
    method: 'POST',
    path: '/api/v1/threat-level',
    as: 'supervisor',
    // Cites a draft: the valid request passes validation and is refused by the rule (422), so this suite
    // never changes the national level (fusion.e2e-spec, in parallel on the same database, owns it).
    body: (w) => ({ level: 'MODERATE', justification: 'Hostile-input test', assessmentIds: [w.draftId] }),
    ok: 422,
    extra: [
      { name: 'unknown level', send: (b) => json({ ...b, level: 'APOCALYPTIC' }), status: 400, field: 'level' },
      { name: 'lower-case level', send: (b) => json({ ...b, level: 'low' }), status: 400, field: 'level' },
      { name: 'blank justification', send: (b) => json({ ...b, justification: ' \n\t ' }), status: 400, field: 'justification' },
      { name: 'justification of 5,001 characters', send: (b) => json({ ...b, justification: longString(5001) }), status: 400, field: 'justification' },
      { name: 'no assessmentIds', send: (b) => json({ ...b, assessmentIds: [] }), status: 400, field: 'assessmentIds' },
      { name: '51 assessmentIds', send: (b) => json({ ...b, assessmentIds: Array.from({ length: 51 }, () => randomUUID()) }), status: 400, field: 'assessmentIds' },
      { name: 'assessmentIds holding a non-UUID', send: (b) => json({ ...b, assessmentIds: ['not-a-uuid'] }), status: 400, field: 'assessmentIds' },
    ],
  },
  {
    method: 'PUT',
    path: '/api/v1/agencies/:id/webhook',
    as: 'admin',
    id: (w) => w.webhookAgencyId,
    // `secret` is optional (generated when omitted): its bad values are in WEBHOOK_EXTRAS.
    body: () => ({ url: 'https://hooks.example.org/x' }),
    ok: 202, // a sensitive change, waiting for the fixtures' second ADMIN (SPEC S1 four eyes)
    extra: WEBHOOK_EXTRAS,
  },
  {
    method: 'POST',
    path: '/api/v1/inbox/:id/acknowledge',
    as: 'officer',
    // No valid 'happy path' here: inbox items are written by the worker, which this suite does not run,
    // so the baseline is a well-formed id that is not in the officer's inbox (404). The cases below are
    // the bad-id, bad-body and no-body ones; any of them answered 404 would mean the input went unchecked.
    id: () => randomUUID(),
    ok: 404,
    extra: [{ name: 'an empty JSON object as the body (allowed: it is no body)', send: () => json({}), status: 404 }],
  },
  {
    method: 'POST',
    path: '/api/v1/disseminations/:id/redrive',
    as: 'supervisor',
    // No valid 'happy path' here: only a FAILED dissemination can be redriven, and failing one needs a
    // worker exhausting its retries. The baseline is a real dissemination that is not FAILED (409): the
    // request passed validation and reached the state check.
    id: (w) => w.disseminationId,
    ok: 409,
    extra: [{ name: 'a dissemination id that does not exist', send: () => ({ id: randomUUID() }), status: 404 }],
  },
];

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Bad `limit` and `cursor` for every paginated list: [name, raw query, parameter the 400 must name]. */
const PAGING_CASES: [string, string, string][] = [
  ['limit=abc', 'limit=abc', 'limit'],
  ['limit=0', 'limit=0', 'limit'],
  ['limit=201', 'limit=201', 'limit'],
  ['limit=-1', 'limit=-1', 'limit'],
  ['limit=1.5', 'limit=1.5', 'limit'],
  ['limit=NaN', 'limit=NaN', 'limit'],
  ['limit=Infinity', 'limit=Infinity', 'limit'],
  ['limit=1e400', 'limit=1e400', 'limit'],
  ['limit given twice', 'limit=1&limit=2', 'limit'],
  ['limit=0x10', 'limit=0x10', 'limit'],
  ['limit=+5', 'limit=%2B5', 'limit'],
  ['limit= 5', 'limit=%205', 'limit'],
  ['limit=1e1', 'limit=1e1', 'limit'],
  ['cursor=garbage', 'cursor=garbage', 'cursor'],
  ['cursor with quotes and semicolons', `cursor=${encodeURIComponent("';--")}`, 'cursor'],
  ['cursor of 10,000 characters', `cursor=${'A'.repeat(10_000)}`, 'cursor'],
  ['cursor of the wrong shape', `cursor=${b64(['x', 'y'])}`, 'cursor'],
  ['cursor holding an array where a value goes (the audit log’s [seq] as [[5]])', `cursor=${b64([[5]])}`, 'cursor'],
  ['cursor with a UUID that is not one', `cursor=${b64(['2026-01-01T00:00:00.000Z', "x' OR 1=1 --"])}`, 'cursor'],
  ['cursor dated 30 February', `cursor=${b64(['2026-02-30T00:00:00.000Z', randomUUID()])}`, 'cursor'],
  ['cursor dated year 0000', `cursor=${b64(['0000-01-01T00:00:00.000Z', randomUUID()])}`, 'cursor'],
  ['an unknown parameter', 'hostile=1', 'hostile'],
  ['an unknown parameter named constructor', 'constructor=x', 'constructor'],
  ['an unknown parameter named __proto__', '__proto__=x', '__proto__'],
];

/** Bad `from` / `to` filters. */
const DATE_RANGE_CASES: [string, string, string][] = [
  ['from=not-a-date', 'from=not-a-date', 'from'],
  ['to=not-a-date', 'to=not-a-date', 'to'],
  ['from=1 (not ISO-8601)', 'from=1', 'from'],
  ['from 30 February', 'from=2026-02-30T00:00:00Z', 'from'],
  ['from before PostgreSQL’s range', 'from=-271821-04-20T00:00:00Z', 'from'],
  ['to with a NUL byte', 'to=2026%0001-01', 'to'],
  // Offsets beyond ±14:00 (PostgreSQL refuses beyond ±15:59: once a 500) and ISO-8601 shapes JavaScript cannot parse.
  ['from with offset +16:00', 'from=2026-11-20T14:00:00%2B16:00', 'from'],
  ['to with offset -23:59', 'to=1000-01-01T00:00:00-23:59', 'to'],
  ['from with offset +14:01', 'from=2026-01-01T00:00:00%2B14:01', 'from'],
  ['from a week date', 'from=2026-W05-1', 'from'],
];

/** Filters of the audit search and export. */
const AUDIT_FILTER_CASES: [string, string, string][] = [
  ['actorId not a UUID', 'actorId=1%20OR%201%3D1', 'actorId'],
  ['agencyId not a UUID', 'agencyId=x', 'agencyId'],
  ['action not resource.verb', `action=${encodeURIComponent("report.read'; DROP TABLE audit_event; --")}`, 'action'],
  ['outcome=MAYBE', 'outcome=MAYBE', 'outcome'],
  ['resourceType of 65 characters', `resourceType=${'R'.repeat(65)}`, 'resourceType'],
  ['resourceId of 201 characters', `resourceId=${'r'.repeat(201)}`, 'resourceId'],
  ['resourceId with a NUL byte', 'resourceId=a%00b', 'resourceId'],
  ...DATE_RANGE_CASES,
];

interface QueryEndpoint {
  path: string;
  as: Who;
  /** A valid query string ('' when the route takes none): the baseline, and the rest of the query each case is added to. */
  valid: string;
  cases: [string, string, string][];
  /** Required parameters of `valid`: each gets a case leaving it out (→ 400 naming it). */
  required?: string[];
}

/** Query parameters sent to a route that takes none: each must be refused, not silently ignored. */
const NO_QUERY_CASES: [string, string, string][] = [
  ['an unknown parameter', 'hostile=1', 'hostile'],
  ['limit (the route is not paginated)', 'limit=10', 'limit'],
  ['cursor (the route is not paginated)', 'cursor=abc', 'cursor'],
  ['an unknown parameter named constructor', 'constructor=x', 'constructor'],
  ['an unknown parameter named __proto__', '__proto__=x', '__proto__'],
  ['an unknown parameter with a NUL byte', 'a=b%00c', 'a'],
];

const QUERY_ENDPOINTS: QueryEndpoint[] = [
  {
    path: '/api/v1/reports',
    as: 'officer',
    valid: 'limit=10',
    cases: [
      ['q of 10,000 characters', `q=${'a'.repeat(10_000)}`, 'q'],
      ['q with a NUL byte', 'q=a%00b', 'q'],
      ['q given twice', 'q=a&q=b', 'q'],
      ...PAGING_CASES,
      ...DATE_RANGE_CASES,
      ['category=ALIENS', 'category=ALIENS', 'category'],
    ],
  },
  {
    path: '/api/v1/assessments',
    as: 'analyst',
    valid: 'status=DRAFT',
    cases: [['status=ALIENS', 'status=ALIENS', 'status'], ['status with a NUL byte', 'status=DR%00AFT', 'status'], ...PAGING_CASES],
  },
  {
    path: '/api/v1/audit-events',
    as: 'auditor',
    valid: 'limit=5',
    cases: [...AUDIT_FILTER_CASES, ...PAGING_CASES, ['cursor past bigint', `cursor=${b64(['99999999999999999999'.slice(0, 19)])}`, 'cursor']],
  },
  {
    path: '/api/v1/audit-events/export',
    as: 'auditor',
    valid: `format=csv&from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`,
    cases: [
      ['format=xml', 'format=xml', 'format'],
      ['purpose of 501 characters', `purpose=${'p'.repeat(501)}`, 'purpose'],
      ['an unknown parameter', 'hostile=1', 'hostile'],
      ...AUDIT_FILTER_CASES,
    ],
  },
  {
    path: '/api/v1/entities/search',
    as: 'officer',
    valid: 'type=PHONE&value=%2B447700900123',
    cases: [
      ['type=ALIENS', 'type=ALIENS', 'type'],
      ['value of 501 characters', `value=${'1'.repeat(501)}`, 'value'],
      ['value with a NUL byte', 'value=12%0034', 'value'],
      ['an IP whose zone id alone is left', 'type=IP&value=%25eth0', 'value'],
      ['value given twice', 'value=1&value=2', 'value'],
      ['type in lower case', 'type=phone', 'type'],
      ['type given twice', 'type=PHONE&type=EMAIL', 'type'],
      ['empty value', 'value=', 'value'],
      ...PAGING_CASES,
    ],
    required: ['type', 'value'],
  },
  {
    path: '/api/v1/inbox',
    as: 'officer',
    valid: 'limit=10',
    cases: PAGING_CASES,
  },
  { path: '/api/v1/threat-level/history', as: 'officer', valid: '', cases: NO_QUERY_CASES },
  { path: '/api/v1/threat-level/recommendation', as: 'analyst', valid: '', cases: NO_QUERY_CASES },
];

/** GET routes with an :id, and who may call them. */
const GET_ID_ROUTES: [string, Who][] = [
  ['/api/v1/reports/:id', 'officer'],
  ['/api/v1/reports/:id/correlations', 'officer'],
  ['/api/v1/assessments/:id', 'analyst'],
  ['/api/v1/assessments/:id/disseminations', 'analyst'],
];

/** Bad ids for those routes: [name, raw path segment, parameter a 400 must name]. */
const GET_ID_CASES: [string, string, string | null][] = [
  ['not-a-uuid', 'not-a-uuid', 'id'],
  ['a NUL byte', '%00', 'id'],
  ['SQL injection', encodeURIComponent("1' OR '1'='1"), 'id'],
  ['a UUID with trailing junk', `${randomUUID()}x`, 'id'],
  ['broken percent-encoding', '%E0%A4%A', null],
  ['1,000 characters', 'x'.repeat(1000), null],
];

// ---------------------------------------------------------------------------------------------------

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

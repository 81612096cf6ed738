import { randomUUID } from 'node:crypto';
import type { Who } from './types';

// Every read endpoint's query parameters and path ids: [case name, raw query or id, parameter a 400 must name].

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

export interface QueryEndpoint {
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

export const QUERY_ENDPOINTS: QueryEndpoint[] = [
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
export const GET_ID_ROUTES: [string, Who][] = [
  ['/api/v1/reports/:id', 'officer'],
  ['/api/v1/reports/:id/correlations', 'officer'],
  ['/api/v1/assessments/:id', 'analyst'],
  ['/api/v1/assessments/:id/disseminations', 'analyst'],
];

/** Bad ids for those routes: [name, raw path segment, parameter a 400 must name]. */
export const GET_ID_CASES: [string, string, string | null][] = [
  ['not-a-uuid', 'not-a-uuid', 'id'],
  ['a NUL byte', '%00', 'id'],
  ['SQL injection', encodeURIComponent("1' OR '1'='1"), 'id'],
  ['a UUID with trailing junk', `${randomUUID()}x`, 'id'],
  ['broken percent-encoding', '%E0%A4%A', null],
  ['1,000 characters', 'x'.repeat(1000), null],
];

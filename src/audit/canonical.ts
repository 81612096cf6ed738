import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth; `undefined` becomes null. Deterministic. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface ChainedFields {
  seq: string;
  at: Date;
  actorId: string | null;
  agencyId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  resourceIds: string[];
  outcome: string;
  reason: string | null;
  requestId: string | null;
  details: Record<string, unknown> | null;
  /** The canonical form the event was hashed with: 1 (absent) before the AuditChainV2 migration, 2 since. */
  canon?: number;
  /** v2: `at` exactly as stored, to the microsecond, UTC (`AT_TEXT`), straight from SQL. */
  atText?: string;
  /** v2: the X-Request-Id the client sent, if any (never the event's own requestId). */
  clientRequestId?: string | null;
}

/** The current canonical form: what the chainer writes. */
export const CANON_VERSION = 2;

/** SQL for a timestamptz column `col` as the v2 canonical `at`: UTC, microseconds, e.g. 2026-12-07T21:55:00.123456Z. */
export const atTextSql = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The columns the chain hashes besides seq, as ChainedFields: the chainer reads them from audit_pending
 * to hash, verify reads them from audit_event to check — one list, so the two cannot drift apart.
 */
export const HASHED_COLUMNS = `at, ${atTextSql('at')} AS "atText", actor_id AS "actorId", agency_id AS "agencyId", action, resource_type AS "resourceType", resource_id AS "resourceId",
  resource_ids AS "resourceIds", outcome, reason, request_id AS "requestId", client_request_id AS "clientRequestId", details`;

/**
 * The exact bytes an event contributes to the chain.
 *
 * v1 (events chained before the AuditChainV2 migration): `at` as a JavaScript Date (milliseconds).
 * v2: `at` as stored (microseconds, `atText`), `clientRequestId`, and `v: 2` itself, so an event cannot
 * be passed off under the other form.
 */
export function canonicalEvent(e: ChainedFields): string {
  if ((e.canon ?? 1) === 2) {
    if (typeof e.atText !== 'string') throw new Error('a v2 canonical event needs atText');
    return canonicalJson({ v: 2, seq: String(e.seq), at: e.atText, ...recordedFields(e), clientRequestId: e.clientRequestId ?? null });
  }
  return canonicalJson({ seq: String(e.seq), at: e.at, ...recordedFields(e) });
}

/** What an event records, in both canonical forms and in its view: who did what to which item, and how it ended. */
export function recordedFields(e: Omit<ChainedFields, 'seq' | 'at' | 'canon' | 'atText' | 'clientRequestId'>) {
  const { actorId, agencyId, action, resourceType, resourceId, resourceIds, outcome, reason, requestId, details } = e;
  return { actorId, agencyId, action, resourceType, resourceId, resourceIds, outcome, reason, requestId, details };
}

/** hash = sha256(prevHash || canonical(event)), lower-case hex. */
export function chainHash(prevHash: string, e: ChainedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(e)).digest('hex');
}

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
}

/** The exact bytes an event contributes to the chain. */
export function canonicalEvent(e: ChainedFields): string {
  return canonicalJson({
    seq: String(e.seq),
    at: e.at,
    actorId: e.actorId,
    agencyId: e.agencyId,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    resourceIds: e.resourceIds,
    outcome: e.outcome,
    reason: e.reason,
    requestId: e.requestId,
    details: e.details,
  });
}

/** hash = sha256(prevHash || canonical(event)), lower-case hex. */
export function chainHash(prevHash: string, e: ChainedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(e)).digest('hex');
}

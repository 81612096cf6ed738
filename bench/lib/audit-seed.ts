import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { CANON_VERSION, canonicalEvent, chainHash, type ChainedFields } from '../../src/audit/canonical';

/**
 * Appends `count` synthetic events to the audit chain, continuing from its head, with hashes computed
 * by the product's own chainHash (src/audit/canonical.ts) — so GET /audit-events/verify must find the
 * whole chain valid. The append-only trigger refuses UPDATE/DELETE/TRUNCATE, not INSERT.
 *
 * Must run while no API or worker process is chaining (the caller stops them first).
 *
 * Also returns the exact bytes each event contributes to the chain (prevHash || canonical(event)), for
 * the raw SHA-256 ceiling.
 */
export async function appendSyntheticAuditEvents(
  pool: Pool,
  count: number,
  actors: { id: string; agencyId: string }[],
  log: (s: string) => void,
): Promise<{ headSeq: number; bytes: Buffer; offsets: Uint32Array }> {
  const head = await pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1');
  const pending = await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_pending');
  if (Number(pending.rows[0].n) > 0) throw new Error('audit_pending is not empty: stop every chainer (API, worker) first');
  let seq = head.rows.length ? BigInt(head.rows[0].seq) : 0n;
  let prevHash = head.rows.length ? head.rows[0].hash : '0'.repeat(64);

  const chunks: Buffer[] = [];
  const offsets = new Uint32Array(count + 1);
  let total = 0;
  const base = Date.now() - count * 10;
  const batch = 5000;
  const t = performance.now();
  const actions = ['report.read', 'report.list', 'report.create', 'auth.login', 'report.correlate', 'inbox.list'];
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const cols = {
      seq: [] as string[],
      at: [] as string[],
      actor: [] as string[],
      agency: [] as string[],
      action: [] as string[],
      rtype: [] as (string | null)[],
      rid: [] as (string | null)[],
      rids: [] as string[],
      outcome: [] as string[],
      reason: [] as (string | null)[],
      req: [] as string[],
      details: [] as (string | null)[],
      prev: [] as string[],
      hash: [] as string[],
    };
    for (let k = 0; k < n; k++) {
      const i = start + k;
      seq += 1n;
      const actor = actors[i % actors.length];
      const action = actions[i % actions.length];
      const listing = action === 'report.list';
      const at = new Date(base + i * 10);
      const e: ChainedFields = {
        seq: seq.toString(),
        at,
        // The current canonical form (v2): `at` to the microsecond as stored (these are whole milliseconds).
        canon: CANON_VERSION,
        atText: at.toISOString().replace('Z', '000Z'),
        clientRequestId: null,
        actorId: actor.id,
        agencyId: actor.agencyId,
        action,
        resourceType: 'Report',
        resourceId: listing ? null : randomUUID(),
        resourceIds: listing ? [randomUUID(), randomUUID(), randomUUID()] : [],
        outcome: i % 50 === 0 ? 'DENIED' : 'ALLOWED',
        reason: i % 50 === 0 ? 'need-to-know' : null,
        requestId: randomUUID(),
        details: listing ? { category: null, from: null, to: null, q: null, cursor: null } : i % 3 === 0 ? { classification: 'SECRET', tlp: 'AMBER', entities: 2 } : null,
      };
      const bytes = Buffer.from(prevHash + canonicalEvent(e), 'utf8');
      chunks.push(bytes);
      total += bytes.length;
      offsets[i + 1] = total;
      const hash = chainHash(prevHash, e);
      cols.seq.push(e.seq);
      cols.at.push(e.at.toISOString());
      cols.actor.push(actor.id);
      cols.agency.push(actor.agencyId);
      cols.action.push(action);
      cols.rtype.push(e.resourceType);
      cols.rid.push(e.resourceId);
      cols.rids.push(`{${e.resourceIds.join(',')}}`);
      cols.outcome.push(e.outcome);
      cols.reason.push(e.reason);
      cols.req.push(e.requestId as string);
      cols.details.push(e.details === null ? null : JSON.stringify(e.details));
      cols.prev.push(prevHash);
      cols.hash.push(hash);
      prevHash = hash;
    }
    await pool.query(
      `INSERT INTO audit_event (seq, at, actor_id, agency_id, action, resource_type, resource_id, resource_ids, outcome, reason, request_id, details, prev_hash, hash, canon)
       SELECT s, a, ac, ag, act, rt, ri, ris::text[], o, re, rq, d::jsonb, p, h, ${CANON_VERSION}
         FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
           AS u(s, a, ac, ag, act, rt, ri, ris, o, re, rq, d, p, h)`,
      [cols.seq, cols.at, cols.actor, cols.agency, cols.action, cols.rtype, cols.rid, cols.rids, cols.outcome, cols.reason, cols.req, cols.details, cols.prev, cols.hash],
    );
    if ((start / batch) % 40 === 39) log(`  audit events: ${start + n} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  await pool.query('VACUUM ANALYZE audit_event');
  return { headSeq: Number(seq), bytes: Buffer.concat(chunks, total), offsets };
}

/** The ceiling: SHA-256 (hex digest, as chainHash) over exactly those bytes, one event after another. */
export function rawSha256(bytes: Buffer, offsets: Uint32Array): { seconds: number; events: number } {
  const events = offsets.length - 1;
  const t = performance.now();
  let x = 0;
  for (let i = 0; i < events; i++) {
    const h = createHash('sha256').update(bytes.subarray(offsets[i], offsets[i + 1])).digest('hex');
    x ^= h.charCodeAt(0);
  }
  const seconds = (performance.now() - t) / 1000;
  if (x === -1) throw new Error('unreachable');
  return { seconds, events };
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppAbility } from '../access/ability.factory';
import { whereAccessible } from '../access/ability-sql';
import { AuditChainer } from './audit-chainer';
import { AuditEvent, type AuditOutcome } from './audit-event.entity';
import { atTextSql, chainHash, type ChainedFields, GENESIS_HASH, HASHED_COLUMNS } from './canonical';


export interface AuditFilter {
  actorId?: string;
  agencyId?: string;
  action?: string;
  clientRequestId?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  afterSeq?: string;
}

export type VerifyResult =
  | { valid: true; checked: number; headSeq: number; headHash: string }
  | { valid: false; checked: number; brokenAtSeq: number; headSeq: number; headHash: string };

/**
 * The audit log as auditors see it: search and export (need-to-know as SQL, by scope) and the
 * verification of the whole chain. Every read chains what is committed first (`flush`). Events are
 * written through {@link AuditWriter}.
 */
@Injectable()
export class AuditService {
  /** The whole-chain walk running now ({@link verifyShared}), and the one queued to start after it. */
  private walking: Promise<VerifyResult> | null = null;
  private nextWalk: Promise<VerifyResult> | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly chainer: AuditChainer,
  ) {}

  /** Chains everything committed so far. */
  flush(): Promise<void> {
    return this.chainer.flush();
  }

  /**
   * Filtered audit events in chain order (ascending seq), keyset-paginated: only those the reader's
   * ability lets them read (auditors by scope, in the ability factory).
   */
  async search(ability: AppAbility, filter: AuditFilter, limit: number): Promise<AuditEvent[]> {
    const qb = this.ds.getRepository(AuditEvent).createQueryBuilder('e');
    whereAccessible(qb, ability, 'read', 'AuditEvent');
    if (filter.actorId) qb.andWhere('e.actor_id = :actorId', { actorId: filter.actorId });
    if (filter.agencyId) qb.andWhere('e.agency_id = :agencyId', { agencyId: filter.agencyId });
    if (filter.action) qb.andWhere('e.action = :action', { action: filter.action });
    if (filter.clientRequestId) qb.andWhere('e.client_request_id = :clientRequestId', { clientRequestId: filter.clientRequestId });
    if (filter.resourceType) qb.andWhere('e.resource_type = :resourceType', { resourceType: filter.resourceType });
    if (filter.outcome) qb.andWhere('e.outcome = :outcome', { outcome: filter.outcome });
    if (filter.from) qb.andWhere('e.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.at < :to', { to: filter.to });
    if (filter.afterSeq) qb.andWhere('e.seq > :afterSeq', { afterSeq: filter.afterSeq });
    if (filter.resourceId) {
      // resource_id or one of resource_ids: the expression of audit_event_resources_idx (one GIN index).
      // Both spellings: events written before ids were lower-cased on the way in may hold one in upper case.
      qb.andWhere('array_append(e.resource_ids, e.resource_id) && ARRAY[:rid, upper(:rid)]::text[]', { rid: filter.resourceId });
    }
    // `at` also as the exact text the v2 hash covers (microseconds), for the views and exports.
    qb.addSelect(atTextSql('e.at'), 'e_at_text');
    const { entities, raw } = await qb.orderBy('e.seq', 'ASC').limit(limit).getRawAndEntities<{ e_at_text: string }>();
    return entities.map((e, i) => Object.assign(e, { atText: raw[i].e_at_text }));
  }

  /**
   * Re-computes the whole chain: sequence gap-free from 1, each prev_hash equal to the previous hash,
   * each hash equal to sha256(prevHash || canonical(event)), each event's canonical form no older than
   * the one before it (no v1 after v2). Reports the first seq where it breaks.
   */
  async verify(batch = 5000): Promise<VerifyResult> {
    await this.flush();
    let canon = 1;
    let expected = 1n;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let broken: bigint | null = null;
    for (;;) {
      // Hand-mapped rows (no entity hydration): the same values the chainer hashed.
      const rows = await this.ds.query<(ChainedFields & { prevHash: string; hash: string })[]>(
        `SELECT seq, ${HASHED_COLUMNS}, canon, prev_hash AS "prevHash", hash FROM audit_event
          WHERE seq >= $1 ORDER BY seq LIMIT $2`,
        [expected.toString(), batch],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const seq = BigInt(row.seq);
        if (broken === null) {
          // v1 hashed neither the microseconds nor clientRequestId: a v1 event after v2 ones, or one with a
          // clientRequestId (added with v2), is not what the chainer wrote.
          const rowCanon = Number(row.canon ?? 1);
          const downgraded = rowCanon < canon || (rowCanon === 1 && row.clientRequestId !== null);
          canon = Math.max(canon, rowCanon);
          if (seq !== expected || downgraded || row.prevHash !== prevHash || chainHash(prevHash, { ...row, canon: rowCanon }) !== row.hash) {
            broken = seq !== expected ? expected : seq;
          } else {
            checked += 1;
          }
        }
        expected = seq + 1n;
        prevHash = row.hash;
      }
    }
    const headSeq = Number(expected - 1n);
    if (broken !== null) return { valid: false, checked, brokenAtSeq: Number(broken), headSeq, headHash: prevHash };
    return { valid: true, checked, headSeq, headHash: prevHash };
  }

  /**
   * The whole chain verified by a walk that starts after this call, shared: while a walk runs, every
   * caller joins the one queued to start when it ends. So however many auditors ask at once (GET
   * /verify, POST /verify-receipt), a process walks the chain at most once at a time, and each answer
   * still covers everything committed before its call (its own audit event included).
   */
  verifyShared(): Promise<VerifyResult> {
    const start = (): Promise<VerifyResult> => {
      const walk: Promise<VerifyResult> = this.verify().finally(() => {
        if (this.walking === walk) this.walking = null;
      });
      this.walking = walk;
      return walk;
    };
    if (!this.walking) return start();
    this.nextWalk ??= this.walking
      .catch(() => undefined)
      .then(() => {
        this.nextWalk = null;
        return start();
      });
    return this.nextWalk;
  }

  /** Streams events (filtered) in pages, without holding the whole log in memory. */
  async *stream(ability: AppAbility, filter: AuditFilter, pageSize = 1000): AsyncGenerator<AuditEvent> {
    let afterSeq = filter.afterSeq;
    for (;;) {
      const rows = await this.search(ability, { ...filter, afterSeq }, pageSize);
      for (const row of rows) yield row;
      if (rows.length < pageSize) return;
      afterSeq = rows[rows.length - 1].seq;
    }
  }
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ThreatLevel } from '../access/markings';
import type { RequestContext } from '../access/request-context';
import { Agency } from '../agencies/agency.entity';
import { AuditWriter } from '../audit/audit-writer';
import { auditTrail, type DisseminationKind, type DisseminationStatus, type Variant } from './dissemination.entity';

/** One dissemination to write: what, to whom, and the content the agency receives (null when WITHHELD). */
export interface OutboxItem {
  kind: DisseminationKind;
  assessmentId: string | null;
  threatLevelChangeId: string | null;
  agency: Pick<Agency, 'id' | 'code'>;
  variant: Variant;
  content: Record<string, unknown> | null;
}

/** A change of the national threat level, as its notice carries it. */
export interface ThreatLevelNotice {
  id: string;
  level: ThreatLevel;
  since: Date;
}

/**
 * The transactional outbox: disseminations are written with the publication (or threat-level change)
 * that causes them, in the caller's transaction. The relay moves them to the queue afterwards.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly audit: AuditWriter) {}

  async forThreatLevel(ctx: RequestContext, m: EntityManager, change: ThreatLevelNotice): Promise<number> {
    const agencies = await m.find(Agency, { where: { active: true }, order: { code: 'ASC' } });
    const content = { level: change.level, since: change.since.toISOString() };
    return this.write(
      ctx,
      m,
      agencies.map((agency) => ({ kind: 'THREAT_LEVEL' as const, assessmentId: null, threatLevelChangeId: change.id, agency, variant: 'FULL' as const, content })),
    );
  }

  /**
   * An ADMIN_NOTICE to one agency: an approved administrative change that affects it (SPEC S1 four
   * eyes), delivered to the inbox only (never a webhook: it may announce that very webhook). Nothing
   * when the agency is inactive. `content` says what changed, never a password or secret.
   */
  async forAdminNotice(ctx: RequestContext, m: EntityManager, agencyId: string, content: Record<string, unknown>): Promise<number> {
    const agency = await m.findOneBy(Agency, { id: agencyId, active: true });
    if (!agency) return 0;
    return this.write(ctx, m, [{ kind: 'ADMIN_NOTICE', assessmentId: null, threatLevelChangeId: null, agency, variant: 'FULL', content }]);
  }

  /**
   * Writes `items` in the caller's transaction: one INSERT for all the rows (a JSON array, no query
   * builder: a national notice goes to every agency) and one for their audit events. The ids are made
   * here, so nothing is read back. Publications compute their own items (assessments/assessment-recipients.ts).
   */
  async write(ctx: RequestContext, m: EntityManager, items: OutboxItem[]): Promise<number> {
    if (items.length === 0) return 0;
    const rows = items.map((i) => ({
      id: randomUUID(),
      kind: i.kind,
      assessmentId: i.assessmentId,
      threatLevelChangeId: i.threatLevelChangeId,
      agencyId: i.agency.id,
      agencyCode: i.agency.code,
      variant: i.variant,
      status: (i.variant === 'WITHHELD' ? 'WITHHELD' : 'PENDING') satisfies DisseminationStatus,
      content: i.content,
    }));
    await m.query(
      `INSERT INTO dissemination (id, kind, assessment_id, threat_level_change_id, agency_id, agency_code, variant, status, content, attempts, created_at)
       SELECT id, kind, "assessmentId", "threatLevelChangeId", "agencyId", "agencyCode", variant, status, content, 0, $2::timestamptz
         FROM jsonb_to_recordset($1::jsonb)
              AS r(id uuid, kind text, "assessmentId" uuid, "threatLevelChangeId" uuid, "agencyId" uuid, "agencyCode" text, variant text, status text, content jsonb)`,
      [JSON.stringify(rows), new Date()],
    );
    await this.audit.recordMany(
      ctx,
      rows.map((d) => ({
        ...auditTrail(d),
        action: 'dissemination.create',
        outcome: 'ALLOWED' as const,
        reason: d.kind === 'ASSESSMENT' ? 'assessment published to its distribution' : d.kind === 'ADMIN_NOTICE' ? 'administrative change approved' : 'national threat level changed',
        details: { kind: d.kind, agencyCode: d.agencyCode, variant: d.variant, status: d.status },
      })),
      m,
    );
    return rows.length;
  }
}

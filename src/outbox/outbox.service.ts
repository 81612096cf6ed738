import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Classification, CLASSIFICATIONS, dominates } from '../access/markings';
import { CONTENT_ROLES } from '../access/roles';
import { Agency } from '../agencies/agency.entity';
import type { Assessment } from '../assessments/assessment.entity';
import { fullView, tearlineOf } from '../assessments/assessments.service';
import { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../access/request-context';
import type { ThreatLevelChange } from '../threat-level/threat-level-change.entity';
import { auditTrail, type DisseminationKind, type DisseminationStatus, type Variant } from './dissemination.entity';

/**
 * Whether an agency has a cleared person: at least one active user holding a content role whose
 * clearance covers the full assessment (and who holds all its compartments), or covers the tearline
 * (which carries no compartments). It mirrors the `read` / `readTearline` rules of the ability factory
 * for a published assessment on the agency's distribution: ADMIN and AUDITOR read no content, so they
 * do not count.
 */
export interface ClearedReaders {
  full: boolean;
  tearline: boolean;
}

/**
 * The variant an agency may receive (SPEC S1): FULL when its accreditation covers the assessment and
 * someone there may read it in full; TEARLINE likewise for the tearline; otherwise WITHHELD.
 */
export function variantFor(agency: Pick<Agency, 'accreditation'>, a: Assessment, readers: ClearedReaders): Variant {
  if (dominates(agency.accreditation, a.classification) && readers.full) return 'FULL';
  const tearline = tearlineOf(a);
  if (tearline && dominates(agency.accreditation, tearline.classification) && readers.tearline) return 'TEARLINE';
  return 'WITHHELD';
}

/** The clearances that cover `c`: `c` and every classification above it. */
function clearancesCovering(c: Classification): Classification[] {
  return CLASSIFICATIONS.filter((held) => dominates(held, c));
}

/** What an agency receives for each variant: the reader's view minus the cell's own workflow fields; cited report ids stay inside the cell. */
export function assessmentContent(a: Assessment, variant: Variant): Record<string, unknown> | null {
  if (variant === 'TEARLINE') return { assessmentId: a.id, tearline: tearlineOf(a) };
  if (variant === 'WITHHELD') return null;
  const {
    id,
    variant: _variant,
    status: _status,
    authorId: _authorId,
    reportIds,
    distribution: _distribution,
    supersededBy: _supersededBy,
    supersededAt: _supersededAt,
    submittedAt: _submittedAt,
    publishedBy: _publishedBy,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    ...content
  } = fullView(a, a.reportIds);
  return { assessmentId: id, ...content, citedReports: reportIds.length };
}

/**
 * The transactional outbox: disseminations are written with the publication (or threat-level change)
 * that causes them, in the caller's transaction. The relay moves them to the queue afterwards.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly audit: AuditService) {}

  async forAssessment(ctx: RequestContext, m: EntityManager, a: Assessment): Promise<number> {
    // One statement over the recipient agencies and their active users: whether each has someone
    // cleared for the full text and for the tearline (see ClearedReaders).
    const tearline = tearlineOf(a);
    const agencies = (
      await m.query<(Agency & { fullReader: boolean; tearlineReader: boolean })[]>(
        `SELECT a.id, a.code, a.accreditation,
                EXISTS (SELECT 1 FROM app_user u
                         WHERE u.agency_id = a.id AND u.active AND u.roles && $3::text[]
                           AND u.clearance = ANY($4::text[]) AND u.compartments @> $5::text[]) AS "fullReader",
                EXISTS (SELECT 1 FROM app_user u
                         WHERE u.agency_id = a.id AND u.active AND u.roles && $3::text[]
                           AND u.clearance = ANY($6::text[])) AS "tearlineReader"
           FROM agency a
          WHERE a.active AND ($1::boolean OR a.code = ANY($2::text[]))
          ORDER BY a.code`,
        [
          a.distributionAll,
          a.distributionAll ? [] : a.distributionCodes,
          CONTENT_ROLES,
          clearancesCovering(a.classification),
          a.compartments,
          tearline ? clearancesCovering(tearline.classification) : [],
        ],
      )
    ).map((r) => ({ agency: Object.assign(new Agency(), { id: r.id, code: r.code, accreditation: r.accreditation }), readers: { full: r.fullReader, tearline: r.tearlineReader } }));
    // The agencies the superseded assessment was sent to (a variant other than WITHHELD).
    const sentOld = new Set<string>(
      a.supersedes ? (await m.query<{ agency_id: string }[]>(`SELECT agency_id FROM dissemination WHERE assessment_id = $1 AND variant <> 'WITHHELD'`, [a.supersedes])).map((r) => r.agency_id) : [],
    );
    return this.write(
      ctx,
      m,
      agencies.map(({ agency, readers }) => {
        const variant = variantFor(agency, a, readers);
        const content = assessmentContent(a, variant);
        // The id of the assessment this one supersedes goes only to agencies that were sent it.
        if (content && 'supersedes' in content && !sentOld.has(agency.id)) content.supersedes = null;
        return { kind: 'ASSESSMENT' as const, assessmentId: a.id, threatLevelChangeId: null, agency, variant, content };
      }),
    );
  }

  async forThreatLevel(ctx: RequestContext, m: EntityManager, change: ThreatLevelChange): Promise<number> {
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
   * One INSERT for all the rows (a JSON array, no query builder: a national notice goes to every
   * agency) and one for their audit events. The ids are made here, so nothing is read back.
   */
  private async write(
    ctx: RequestContext,
    m: EntityManager,
    items: { kind: DisseminationKind; assessmentId: string | null; threatLevelChangeId: string | null; agency: Agency; variant: Variant; content: Record<string, unknown> | null }[],
  ): Promise<number> {
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

import type { EntityManager } from 'typeorm';
import { type Classification, CLASSIFICATIONS, dominates } from '../access/markings';
import { CONTENT_ROLES } from '../access/roles';
import { Agency } from '../agencies/agency.entity';
import type { OutboxItem } from '../outbox/outbox.service';
import type { Variant } from '../outbox/dissemination.entity';
import type { Assessment } from './assessment.entity';
import { fullView, tearlineOf } from './assessment-views';

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
 * One statement over an assessment's recipient agencies and their active users: whether each has someone
 * cleared for the full text and for the tearline (see ClearedReaders). It mirrors the factory's `read` /
 * `readTearline` Assessment rules (content roles, `cleared`, `tearlineCleared`): assessment-recipients.spec.ts
 * compares the two on random users, so a change to one without the other fails there.
 */
export function recipientsQuery(a: Assessment): [string, unknown[]] {
  const tearline = tearlineOf(a);
  return [
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
  ];
}

/** The disseminations a publication causes: one per active agency on the distribution, with the variant it may receive. */
export async function recipientsOf(m: EntityManager, a: Assessment): Promise<OutboxItem[]> {
  const [sql, params] = recipientsQuery(a);
  const agencies = (await m.query<(Agency & { fullReader: boolean; tearlineReader: boolean })[]>(sql, params)).map((r) => ({
    agency: Object.assign(new Agency(), { id: r.id, code: r.code, accreditation: r.accreditation }),
    readers: { full: r.fullReader, tearline: r.tearlineReader },
  }));
  // The agencies the superseded assessment was sent to (a variant other than WITHHELD).
  const sentOld = new Set<string>(
    a.supersedes ? (await m.query<{ agency_id: string }[]>(`SELECT agency_id FROM dissemination WHERE assessment_id = $1 AND variant <> 'WITHHELD'`, [a.supersedes])).map((r) => r.agency_id) : [],
  );
  return agencies.map(({ agency, readers }) => {
    const variant = variantFor(agency, a, readers);
    const content = assessmentContent(a, variant);
    // The id of the assessment this one supersedes goes only to agencies that were sent it.
    if (content && 'supersedes' in content && !sentOld.has(agency.id)) content.supersedes = null;
    return { kind: 'ASSESSMENT' as const, assessmentId: a.id, threatLevelChangeId: null, agency, variant, content };
  });
}

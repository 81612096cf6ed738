import type { AppAbility } from '../access/ability.factory';
import type { Assessment } from './assessment.entity';

/* How an assessment is shown: in full, as its tearline, and the full view as one reader may see it. */

export function tearlineOf(a: Assessment) {
  return a.tearlineSummary !== null && a.tearlineClassification !== null && a.tearlineTlp !== null
    ? { summary: a.tearlineSummary, classification: a.tearlineClassification, tlp: a.tearlineTlp }
    : null;
}

/** What the author wrote (title to scope), as the full view and the editable draft both show it. */
export function draftedText(a: Assessment) {
  return { title: a.title, keyJudgements: a.keyJudgements, body: a.body, likelihood: a.likelihood, recommendedLevel: a.recommendedLevel, scope: a.scope };
}

/**
 * The full view of an assessment. `readableLinks`: the linked assessments (supersedes, supersededBy)
 * the reader may read; a link to one they may not is null (and so is `supersededAt`), so neither its id
 * nor its existence is disclosed. Without it (the author's own draft, whose link was checked on
 * writing) links are shown as they are.
 */
export function fullView(a: Assessment, readableReportIds: string[], readableLinks?: Set<string>) {
  const link = (id: string | null) => (id && (!readableLinks || readableLinks.has(id)) ? id : null);
  return {
    id: a.id,
    variant: 'FULL' as const,
    status: a.status,
    authorId: a.authorId,
    ...draftedText(a),
    region: a.region,
    sectors: a.sectors,
    reportIds: readableReportIds,
    classification: a.classification,
    compartments: a.compartments,
    tlp: a.tlp,
    validUntil: a.validUntil.toISOString(),
    distribution: a.distributionAll ? { all: true as const } : { agencyCodes: a.distributionCodes },
    supersedes: link(a.supersedes),
    supersededBy: link(a.supersededBy),
    supersededAt: link(a.supersededBy) ? (a.supersededAt?.toISOString() ?? null) : null,
    tearline: tearlineOf(a),
    submittedAt: a.submittedAt?.toISOString() ?? null,
    publishedAt: a.publishedAt?.toISOString() ?? null,
    publishedBy: a.publishedBy,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function tearlineView(a: Assessment) {
  return { id: a.id, variant: 'TEARLINE' as const, tearline: tearlineOf(a) };
}

/** The cell's workflow fields of the full view: a reader outside the cell does not get them (SPEC S1). */
type WorkflowField = 'authorId' | 'publishedBy' | 'distribution' | 'submittedAt';
type FullView = ReturnType<typeof fullView>;
export type ReaderFullView = Omit<FullView, WorkflowField> & Partial<Pick<FullView, WorkflowField>>;

/** The full view as this reader may see it: without the cell's workflow fields unless the ability allows them. */
export function fullViewFor(ability: AppAbility, view: FullView): ReaderFullView {
  if (ability.can('readWorkflow', 'Assessment')) return view;
  const { authorId: _authorId, publishedBy: _publishedBy, distribution: _distribution, submittedAt: _submittedAt, ...rest } = view;
  return rest;
}

export type AssessmentView = ReaderFullView | ReturnType<typeof tearlineView>;

import { type Condition, FieldCondition } from '@ucast/mongo2js';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor } from '../../common/pagination';
import { ReportShare } from '../report-share.entity';
import { branchTermsNotOver, branchTermsOver, type SqlBranch } from './branches';
import { anyFilter, type PageRequest, type TextMatch, withFilters } from './filters';

// The "shared with my agency" need-to-know branch as report_share (one row per code of a live
// report's releasable_to, with its markings: see report-share.entity.ts) can answer it.

/** The one agency code a branch requires the report to be releasable to (`releasableTo: { $all: [code] }`), else null. */
export function sharedWith(branch: SqlBranch): string | null {
  const cond = branch.conditions.releasableTo as { $all?: unknown } | undefined;
  const all = cond && typeof cond === 'object' ? cond.$all : undefined;
  return Array.isArray(all) && all.length === 1 && typeof all[0] === 'string' ? all[0] : null;
}

/**
 * Whether a report_share row of `code` answers the branch terms it does not copy (`rest`, from
 * branchTermsNotOver): they must be exactly "releasable to `code`" (the row's existence) and "not
 * purged" (rows are kept for live reports only), and the branch must ask both: a branch that admits
 * purged reports is not answered by rows that leave them out. Any other term, or a branch that is not a
 * plain AND, needs the report.
 */
export function shareAnswers(rest: Condition[] | null, code: string): boolean {
  if (rest === null) return false;
  const shared = (t: Condition) => t instanceof FieldCondition && t.field === 'releasableTo' && t.operator === 'all' && Array.isArray(t.value) && t.value.length === 1 && t.value[0] === code;
  const live = (t: Condition) => t instanceof FieldCondition && t.field === 'purgedAt' && t.operator === 'eq' && t.value === null;
  return rest.every((t) => shared(t) || live(t)) && rest.some(shared) && rest.some(live);
}

/**
 * The share-row walk: the shared branch's page as the agency's report_share rows newest first (its
 * primary key), passing over the shares whose copied markings fail the branch. Where the row cannot
 * answer the branch alone (a filter, or a term it does not copy), each share's report is checked by a
 * scalar sub-select, run per share. Selects `id`, `created_at`; limit + 1. Index: report_share's primary key.
 */
export function shareRowWalk(req: PageRequest, branch: SqlBranch, code: string, index: number, text: TextMatch): SelectQueryBuilder<ObjectLiteral> {
  const qb = req.repo.manager.createQueryBuilder(ReportShare, 's');
  const markings = branchTermsOver(branch, qb, `share${index}`);
  qb.select('s.report_id', 'id')
    .addSelect('s.created_at', 'created_at')
    .where('s.agency_code = :shareCode', { shareCode: code })
    .andWhere(markings.sql, markings.params);
  if (anyFilter(req) || !shareAnswers(branchTermsNotOver(branch, qb), code)) {
    const check = withFilters(req, req.repo.createQueryBuilder('r').select('true').where('r.id = s.report_id'), branch, text);
    qb.andWhere(`(${check.getQuery()})`).setParameters(check.getParameters());
  }
  if (req.q.cursor) {
    const [at, id] = decodeCursor(req.q.cursor, ['date', 'uuid']);
    qb.andWhere('(s.created_at, s.report_id) < (:cursorAt, :cursorId)', { cursorAt: at, cursorId: id });
  }
  return qb.orderBy('s.created_at', 'DESC').addOrderBy('s.report_id', 'DESC').limit(req.q.limit + 1);
}

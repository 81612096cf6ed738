import { type Condition, FieldCondition } from '@ucast/mongo2js';
import type { SqlBranch } from '../access/ability-sql';

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

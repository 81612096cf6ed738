import { rulesToAST } from '@casl/ability/extra';
import { CompoundCondition, FieldCondition, type Condition } from '@ucast/mongo2js';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Action, AppAbility, SubjectName } from '../../access/ability.factory';
import { accessibleSql, conditionSql, type SqlFragment } from '../../access/ability-sql';

/** One branch of a need-to-know condition: its SQL and the CASL conditions (and tree) it was translated from. */
export interface SqlBranch extends SqlFragment {
  conditions: Record<string, unknown>;
  /** The rule's condition tree; null when the branch is unconditional or the whole translation. */
  ast: Condition | null;
}

/**
 * The rules of `accessibleSql`, one SQL condition per CASL rule (their OR is `accessibleSql`), so the
 * list can run one ordered, limited query per branch on the index that serves it: no single index
 * serves an OR (docs/performance.md, "The report list, inside"). No rule → no branch; a rule another
 * admits everything of is dropped; any `cannot` rule → one branch, the whole translation, with no
 * `conditions` to pick an index from.
 */
export function accessibleSqlBranches<T extends ObjectLiteral>(
  ability: AppAbility,
  action: Action,
  subject: Exclude<SubjectName, 'all'>,
  qb: SelectQueryBuilder<T>,
  paramPrefix = 'ntk',
): SqlBranch[] {
  if (rulesToAST(ability, action, subject) === null) return [];
  const rules = ability.rulesFor(action, subject);
  if (rules.some((r) => r.inverted)) return [{ ...accessibleSql(ability, action, subject, qb, paramPrefix), conditions: {}, ast: null }];
  const conditions = rules.map((r) => (r.conditions ?? {}) as Record<string, unknown>);
  // x implies y: y's conditions are a subset of x's, so y lets in everything x does.
  const implies = (x: number, y: number): boolean =>
    Object.keys(conditions[y]).every((k) => k in conditions[x] && JSON.stringify(conditions[x][k]) === JSON.stringify(conditions[y][k]));
  const kept = rules.filter((_, x) => !rules.some((_r, y) => y !== x && implies(x, y) && (!implies(y, x) || y < x))); // of two equal rules, the first stays
  return kept.map((rule, i) => {
    if (!rule.conditions) return { sql: 'TRUE', params: {}, conditions: {}, ast: null };
    if (!rule.ast) throw new Error('accessibleSqlBranches: a rule without a parsed condition');
    return { ...conditionSql(rule.ast, qb, `${paramPrefix}${i}`), conditions: rule.conditions, ast: rule.ast };
  });
}

/**
 * A looser form of `branch` over another entity that copies some of the subject's fields under the same
 * property names (report_share copies a report's markings): the branch's top-level AND terms on fields
 * that entity has, translated over `qb`'s alias. It only drops terms, so it admits everything the
 * branch admits: a cheap pass over rows, never the branch itself. `TRUE` when no term applies.
 */
export function branchTermsOver<T extends ObjectLiteral>(branch: SqlBranch, qb: SelectQueryBuilder<T>, paramPrefix: string): SqlFragment {
  const split = splitTerms(branch, qb);
  if (!split || split.over.length === 0) return { sql: 'TRUE', params: {} };
  return conditionSql(new CompoundCondition('and', split.over), qb, paramPrefix);
}

/**
 * The terms {@link branchTermsOver} leaves out (null when the branch has no condition tree): a caller that
 * knows how the other entity answers them (a share row exists only for a live report releasable to its
 * agency) can tell whether that entity's rows answer the whole branch.
 */
export function branchTermsNotOver<T extends ObjectLiteral>(branch: SqlBranch, qb: SelectQueryBuilder<T>): Condition[] | null {
  return splitTerms(branch, qb)?.rest ?? null;
}

/** A branch's top-level AND terms, split into field terms on `qb`'s entity and the rest. */
function splitTerms<T extends ObjectLiteral>(branch: SqlBranch, qb: SelectQueryBuilder<T>): { over: Condition[]; rest: Condition[] } | null {
  const metadata = qb.expressionMap.mainAlias?.metadata;
  if (!branch.ast || !metadata) return null;
  const terms = branch.ast instanceof CompoundCondition && branch.ast.operator === 'and' ? (branch.ast.value as Condition[]) : [branch.ast];
  const isOver = (t: Condition): boolean => t instanceof FieldCondition && metadata.findColumnWithPropertyPath(String(t.field)) !== undefined;
  return { over: terms.filter(isOver), rest: terms.filter((t) => !isOver(t)) };
}

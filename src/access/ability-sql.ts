import { rulesToAST } from '@casl/ability/extra';
import { CompoundCondition, FieldCondition, type Condition } from '@ucast/mongo2js';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Action, AppAbility, SubjectName } from './ability.factory';

export interface SqlFragment {
  sql: string;
  params: Record<string, unknown>;
}

/** One branch of a need-to-know condition: its SQL and the CASL conditions (and tree) it was translated from. */
export interface SqlBranch extends SqlFragment {
  conditions: Record<string, unknown>;
  /** The rule's condition tree; null when the branch is unconditional or the whole translation. */
  ast: Condition | null;
}

/**
 * Turns the CASL rules for (action, subject) into a parameterised SQL condition over `alias`, so lists
 * and searches are filtered in the database by the same definition `ability.can` uses in memory.
 *
 * - no rule at all → `FALSE` (nothing readable);
 * - an unconditional rule → `TRUE`;
 * - and / or / not → SQL; eq, ne (IS DISTINCT FROM), in, nin, all (@>), subsetOf (<@);
 * - anything else throws: the translation fails closed, never open.
 */
export function accessibleSql<T extends ObjectLiteral>(
  ability: AppAbility,
  action: Action,
  subject: Exclude<SubjectName, 'all'>,
  qb: SelectQueryBuilder<T>,
  paramPrefix = 'ntk',
): SqlFragment {
  const ast = rulesToAST(ability, action, subject);
  if (ast === null) return { sql: 'FALSE', params: {} };
  return translate(ast, qb, paramPrefix);
}

/**
 * The same rules as `accessibleSql`, as one SQL condition per CASL rule whose OR is `accessibleSql`:
 * a list can then run one ordered, limited query per branch, each on the index that serves it, and
 * merge them (a UNION), instead of one OR that no single index serves — the "sees nothing" caller
 * otherwise walks the whole table in date order (bench/findings.md F2).
 *
 * - no rule at all → no branch (nothing readable);
 * - a rule made redundant by a less restrictive one (its conditions include all of the other's) is
 *   dropped: a cell analyst's "own agency" rule adds nothing to "everything cleared";
 * - with any `cannot` rule, one branch: the whole translation, as `accessibleSql` — correct first
 *   (its `conditions` are then empty: a caller may not pick an index from them).
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
  const implies = (x: number, y: number): boolean =>
    Object.keys(conditions[y]).every((k) => k in conditions[x] && JSON.stringify(conditions[x][k]) === JSON.stringify(conditions[y][k]));
  // x is dropped when some other rule y lets in everything x does: y's conditions are a subset of x's
  // (of two identical rules, the first is kept).
  const kept = rules.filter((_, x) => !rules.some((_r, y) => y !== x && implies(x, y) && (!implies(y, x) || y < x)));
  return kept.map((rule, i) => {
    if (!rule.conditions) return { sql: 'TRUE', params: {}, conditions: {}, ast: null };
    if (!rule.ast) throw new Error('accessibleSqlBranches: a rule without a parsed condition');
    return { ...translate(rule.ast, qb, `${paramPrefix}${i}`), conditions: rule.conditions, ast: rule.ast };
  });
}

/**
 * A looser form of `branch` over another entity that copies some of the subject's fields under the same
 * property names (report_share copies a report's markings): the branch's top-level AND terms on fields
 * that entity has, translated over `qb`'s alias. It only drops terms, so it admits everything the
 * branch admits: use it to pass over rows cheaply, never instead of the branch. `TRUE` when no term
 * applies (or the branch is not a plain AND of field terms).
 */
export function branchTermsOver<T extends ObjectLiteral>(branch: SqlBranch, qb: SelectQueryBuilder<T>, paramPrefix: string): SqlFragment {
  const split = splitTerms(branch, qb);
  if (!split || split.over.length === 0) return { sql: 'TRUE', params: {} };
  return translate(new CompoundCondition('and', split.over), qb, paramPrefix);
}

/**
 * The terms {@link branchTermsOver} leaves out: the branch's top-level AND terms that are not field terms
 * on `qb`'s entity. Null when the branch has no condition tree. A caller that knows how the other entity
 * answers these (e.g. a share row exists only for a live report releasable to its agency) can tell
 * whether that entity's rows answer the whole branch.
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

/** Translates one CASL condition tree over the query builder's main alias (see accessibleSql). */
function translate<T extends ObjectLiteral>(ast: Condition, qb: SelectQueryBuilder<T>, paramPrefix: string): SqlFragment {
  const alias = qb.alias;
  const metadata = qb.expressionMap.mainAlias?.metadata;
  if (!metadata) throw new Error('accessibleSql needs a query builder over an entity');
  const params: Record<string, unknown> = {};
  let n = 0;
  const column = (field: string): string => {
    const col = metadata.findColumnWithPropertyPath(field);
    if (!col) throw new Error(`accessibleSql: unknown field "${field}" on ${metadata.name}`);
    return `"${alias}"."${col.databaseName}"`;
  };
  const param = (value: unknown): string => {
    const name = `${paramPrefix}_${n++}`;
    params[name] = value;
    return `:${name}`;
  };
  const scalarOnly = (field: string): void => {
    if (metadata.findColumnWithPropertyPath(field)?.isArray) {
      throw new Error(`accessibleSql: eq/ne/in/nin on the array field "${field}" are not supported`);
    }
  };
  const nullable = (field: string): boolean => metadata.findColumnWithPropertyPath(field)?.isNullable !== false;
  const arrayType = (field: string): string => {
    const col = metadata.findColumnWithPropertyPath(field);
    return col?.type === 'uuid' ? 'uuid[]' : 'text[]';
  };

  const visit = (node: Condition): string => {
    if (node instanceof CompoundCondition) {
      const parts = (node.value as Condition[]).map(visit);
      switch (node.operator) {
        case 'and':
          return parts.length === 0 ? 'TRUE' : `(${parts.join(' AND ')})`;
        case 'or':
          return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
        case 'not':
          return `NOT COALESCE((${parts.join(' AND ')}), FALSE)`;
        default:
          throw new Error(`accessibleSql: unsupported compound operator "${node.operator}"`);
      }
    }
    if (node instanceof FieldCondition) {
      const field = String(node.field);
      const col = column(field);
      const value: unknown = node.value;
      switch (node.operator) {
        case 'eq':
          scalarOnly(field);
          return value === null ? `${col} IS NULL` : `${col} = ${param(value)}`;
        case 'ne':
          scalarOnly(field);
          return `${col} IS DISTINCT FROM ${param(value)}`;
        // A NULL column is "not in" the list, as CASL decides in memory: COALESCE on nullable columns
        // only, so the planner keeps the column's statistics for the NOT NULL ones.
        case 'in':
          scalarOnly(field);
          if ((value as unknown[]).length === 0) return 'FALSE';
          return nullable(field) ? `COALESCE(${col} = ANY(${param(value)}), FALSE)` : `${col} = ANY(${param(value)})`;
        case 'nin':
          scalarOnly(field);
          if ((value as unknown[]).length === 0) return 'TRUE';
          return nullable(field) ? `NOT COALESCE(${col} = ANY(${param(value)}), FALSE)` : `NOT (${col} = ANY(${param(value)}))`;
        case 'all':
          return `${col} @> CAST(${param(value)} AS ${arrayType(field)})`;
        case 'subsetOf':
          return `${col} <@ CAST(${param(value)} AS ${arrayType(field)})`;
        default:
          throw new Error(`accessibleSql: unsupported operator "${node.operator}"`);
      }
    }
    throw new Error('accessibleSql: unknown condition node');
  };

  return { sql: visit(ast), params };
}

/** Adds the need-to-know condition to a query builder (AND). */
export function whereAccessible<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  ability: AppAbility,
  action: Action,
  subject: Exclude<SubjectName, 'all'>,
): SelectQueryBuilder<T> {
  const { sql, params } = accessibleSql(ability, action, subject, qb);
  return qb.andWhere(sql, params);
}

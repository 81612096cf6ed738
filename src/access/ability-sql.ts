import { rulesToAST } from '@casl/ability/extra';
import { CompoundCondition, FieldCondition, type Condition } from '@ucast/mongo2js';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Action, AppAbility, SubjectName } from './ability.factory';

export interface SqlFragment {
  sql: string;
  params: Record<string, unknown>;
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
  return conditionSql(ast, qb, paramPrefix);
}

/**
 * Translates one CASL condition tree over the query builder's main alias (see accessibleSql); its
 * parameters are named `<paramPrefix>_<n>`. The list's branch splitting (reports/list/branches.ts) uses it per rule.
 */
export function conditionSql<T extends ObjectLiteral>(ast: Condition, qb: SelectQueryBuilder<T>, paramPrefix: string): SqlFragment {
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

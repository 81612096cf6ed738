import type { DataSource } from 'typeorm';
import { AbilityFactory } from '../../src/access/ability.factory';
import { whereAccessible } from '../../src/access/ability-sql';
import { toPrincipal } from '../../src/auth/principal.service';
import { ListReportsQuery } from '../../src/reports/dto/list-reports.query';
import { Report } from '../../src/reports/report.entity';
import { isBroadSearch } from '../../src/reports/list/access-keys';
import { reportPageQuery } from '../../src/reports/list/report-page.query';
import { User } from '../../src/users/user.entity';

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

/**
 * The SQL GET /api/v1/reports runs for a caller, built by the product's own code: the principal as
 * PrincipalService loads it, the CASL rules of AbilityFactory and reportPageQuery (src/reports/list/)
 * (need-to-know branches merged by a UNION, optional `q`, broad or not as the service decides, newest first, limit+1). The benchmark checks
 * that it returns the same ids as the API before trusting its plan.
 */
export async function listQuery(ds: DataSource, userId: string, opts: { limit: number; q?: string }): Promise<BuiltQuery> {
  const user = await ds.getRepository(User).findOneOrFail({ where: { id: userId }, relations: { agency: true } });
  const ability = new AbilityFactory().createFor(toPrincipal(user));
  const qb = await reportPageQuery(ds.getRepository(Report), ability, Object.assign(new ListReportsQuery(), { limit: opts.limit, q: opts.q }), (q) => isBroadSearch(ds, q));
  if (!qb) return { sql: 'SELECT NULL::uuid AS r_id WHERE FALSE', params: [] };
  const [sql, params] = qb.getQueryAndParameters();
  return { sql, params: params as unknown[] };
}

/**
 * How many reports the caller may read (with `q`): the single need-to-know condition of ability-sql.ts
 * counted over the table. (The page query cannot be counted: each of its branches stops at a page.)
 */
export async function visibleCount(ds: DataSource, userId: string, q?: string): Promise<number> {
  const user = await ds.getRepository(User).findOneOrFail({ where: { id: userId }, relations: { agency: true } });
  const ability = new AbilityFactory().createFor(toPrincipal(user));
  const qb = whereAccessible(ds.getRepository(Report).createQueryBuilder('r'), ability, 'read', 'Report');
  if (q) qb.andWhere(`r.search_vector @@ websearch_to_tsquery('english', :q)`, { q });
  return qb.getCount();
}

/** The same columns, no need-to-know: the unfiltered indexed ceiling. */
export function unfilteredQuery(limit: number, q?: string): BuiltQuery {
  const cols = `id, agency_id, created_by, title, narrative, category, occurred_at, location, source_reliability, information_credibility,
                classification, compartments, tlp, releasable_to, source_description, suspicion_basis, review_due_at, validated_at,
                created_at, purged_at`;
  return q
    ? {
        sql: `SELECT ${cols} FROM report WHERE search_vector @@ websearch_to_tsquery('english', $1) ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
        params: [q],
      }
    : { sql: `SELECT ${cols} FROM report ORDER BY created_at DESC, id DESC LIMIT ${limit}`, params: [] };
}

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
  [k: string]: unknown;
}

/** Every node of a plan tree. */
export function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

export function seqScansOnReport(plan: PlanNode): number {
  return planNodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'report').length;
}

/**
 * Scans of report that read the whole table, from an EXPLAIN ANALYZE plan: a Seq Scan node, or an
 * index scan with no index condition (an ordered walk of the table) that read at least half of its
 * rows — the "sees nothing" trap: `Index Scan Backward using report_created_idx` with a filter that
 * removes every row is a sequential read of the table in index order, only slower.
 */
export function fullScansOfReport(plan: PlanNode, tableRows: number): number {
  return planNodes(plan).filter((n) => {
    if (n['Relation Name'] !== 'report') return false;
    if (n['Node Type'] === 'Seq Scan') return true;
    if (n['Index Cond'] !== undefined || !/Index/.test(n['Node Type'])) return false;
    const read = ((Number(n['Actual Rows']) || 0) + (Number(n['Rows Removed by Filter']) || 0)) * (Number(n['Actual Loops']) || 1);
    return read >= 0.5 * tableRows;
  }).length;
}

/** A one-line summary of a plan: node types with relation/index names. */
export function planSummary(plan: PlanNode): string {
  return planNodes(plan)
    .map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`)
    .join(' → ');
}

import type { DataSource } from 'typeorm';
import { AbilityFactory, type AppAbility } from '../../src/access/ability.factory';
import { accessibleSql, whereAccessible } from '../../src/access/ability-sql';
import { toPrincipal } from '../../src/auth/principal.service';
import { newestFirst, PageQuery } from '../../src/common/pagination';
import { Report } from '../../src/reports/report.entity';
import { User } from '../../src/users/user.entity';

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

/**
 * The SQL GET /api/v1/reports runs for a caller, rebuilt with the product's own pieces: the principal
 * as PrincipalService loads it, the CASL rules of AbilityFactory, the translator of ability-sql.ts and
 * the query builder calls of ReportsService.list (need-to-know, optional `q`, newest first, limit+1).
 * The benchmark checks that it returns the same ids as the API before trusting its plan.
 */
export async function listQuery(ds: DataSource, userId: string, opts: { limit: number; q?: string }): Promise<BuiltQuery> {
  const user = await ds.getRepository(User).findOneOrFail({ where: { id: userId }, relations: { agency: true } });
  const ability = new AbilityFactory().createFor(toPrincipal(user));
  const qb = ds.getRepository(Report).createQueryBuilder('r');
  whereAccessible(qb, ability, 'read', 'Report');
  if (opts.q) qb.andWhere(`r.search_vector @@ websearch_to_tsquery('english', :q)`, { q: opts.q });
  newestFirst(qb, 'created_at', Object.assign(new PageQuery(), { limit: opts.limit }));
  const [sql, params] = qb.getQueryAndParameters();
  return { sql, params: params as unknown[] };
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

/**
 * A prototype of the fix proposed in bench/findings.md (not product code): the page query as a UNION
 * of one branch per CASL rule — rules subsumed by a less restrictive one dropped — each branch ordered
 * and limited on its own, so each can use the index that serves it, then merged. COALESCE around
 * `= ANY(...)` on NOT NULL columns is dropped so the planner can use column statistics. With the
 * partial index PROPOSED_INDEX for the community-TLP rule, no caller has to walk the whole table.
 */
export const PROPOSED_INDEX = `CREATE INDEX IF NOT EXISTS bench_proposed_community_idx ON report (classification, created_at, id) WHERE tlp IN ('CLEAR','GREEN') AND purged_at IS NULL`;
export const DROP_PROPOSED_INDEX = 'DROP INDEX IF EXISTS bench_proposed_community_idx';

export async function proposedListQuery(ds: DataSource, userId: string, opts: { limit: number; q?: string }): Promise<BuiltQuery & { branches: number }> {
  const user = await ds.getRepository(User).findOneOrFail({ where: { id: userId }, relations: { agency: true } });
  const ability = new AbilityFactory().createFor(toPrincipal(user));
  const all = ability.rulesFor('read', 'Report').filter((r) => !r.inverted);
  const conds = (r: (typeof all)[number]) => (r.conditions ?? {}) as Record<string, unknown>;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  // A rule is redundant when another rule's conditions are a subset of its own (that one lets in more).
  const rules = all.filter((x, i) =>
    !all.some((y, j) => {
      if (j === i) return false;
      const ky = Object.keys(conds(y));
      const kx = Object.keys(conds(x));
      const subset = ky.every((k) => k in conds(x) && same(conds(y)[k], conds(x)[k]));
      return subset && (ky.length < kx.length || j < i);
    }),
  );
  const params: unknown[] = [];
  const branches = rules.map((rule, i) => {
    const qb = ds.getRepository(Report).createQueryBuilder('r');
    const { sql, params: p } = accessibleSql({ rulesFor: () => [rule] } as unknown as AppAbility, 'read', 'Report', qb, `b${i}`);
    qb.where(sql.replace(/COALESCE\(("r"\."[a-z_]+" = ANY\([^()]*\)), FALSE\)/g, '$1'), p);
    if (opts.q) qb.andWhere(`r.search_vector @@ websearch_to_tsquery('english', :q)`, { q: opts.q });
    newestFirst(qb, 'created_at', Object.assign(new PageQuery(), { limit: opts.limit }));
    const [text, values] = qb.getQueryAndParameters();
    const offset = params.length;
    params.push(...(values as unknown[]));
    return `(${text.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + offset}`)})`;
  });
  if (branches.length === 0) return { sql: 'SELECT NULL AS r_id WHERE FALSE', params: [], branches: 0 };
  return {
    sql: `SELECT * FROM (${branches.join(' UNION ')}) u ORDER BY u.r_created_at DESC, u.r_id DESC LIMIT ${opts.limit + 1}`,
    params,
    branches: branches.length,
  };
}

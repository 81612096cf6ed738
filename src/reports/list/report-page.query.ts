import type { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import type { AppAbility } from '../../access/ability.factory';
import type { SqlFragment } from '../../access/ability-sql';
import { newestFirst } from '../../common/pagination';
import type { ListReportsQuery } from '../dto/list-reports.query';
import { Report } from '../report.entity';
import { accessKeysSql, branchAccessKeys } from './access-keys';
import { accessibleSqlBranches, type SqlBranch } from './branches';
import { type PageRequest, pageRequest, type TextMatch, withFilters } from './filters';
import { sharedWith, shareRowWalk } from './share-branch';

/**
 * The page of reports a caller may read for a list or search: need-to-know, the filters, newest first,
 * limit + 1, each row with its `readable` column (see `rowsOf`); null when need-to-know lets nothing
 * through. It returns exactly what `referencePageQuery` returns (the property test), by the fastest
 * of four strategies for the caller's branches (docs/performance.md, "The report list, inside").
 * Exported for the benchmark, which times and explains it.
 */
export async function reportPageQuery(
  repo: Repository<Report>,
  ability: AppAbility,
  q: ListReportsQuery,
  isBroad: (q: string) => Promise<boolean> = () => Promise.resolve(false),
): Promise<SelectQueryBuilder<Report> | null> {
  const branches = accessibleSqlBranches(ability, 'read', 'Report', repo.createQueryBuilder('r'));
  if (branches.length === 0) return null;
  const req = pageRequest(repo, q);
  if (branches.length === 1 && (q.q || sharedWith(branches[0]) === null)) return singleBranchPage(req, branches[0]);
  const broad = q.q ? await isBroad(q.q) : false;
  const keys = q.q && !broad ? accessKeysOfAll(branches) : null;
  if (keys) return accessKeySearchPage(req, branches, keys);
  return unionOfBranchesPage(req, branches, broad);
}

/** One branch (a cell analyst's "everything cleared", or a search's only way in): one ordered query on its index. */
function singleBranchPage(req: PageRequest, branch: SqlBranch): SelectQueryBuilder<Report> {
  return readableIf(newestFirst(withFilters(req, req.repo.createQueryBuilder('r'), branch), 'created_at', req.q), null);
}

/** Every branch's access keys (access-keys.ts), or null when one branch has none. */
function accessKeysOfAll(branches: SqlBranch[]): string[] | null {
  const keys = branches.map((b) => branchAccessKeys(b.conditions));
  return keys.every((k) => k !== null) ? keys.flat() : null;
}

/**
 * A narrow text search: one scan of report_search_access_idx finds the live reports holding one of the
 * branches' keys and matching `q`; the page then checks each against need-to-know (the branches' OR).
 * OFFSET 0 fences the scan, so the planner does not AND in other indexes' bitmaps for the branch terms.
 */
function accessKeySearchPage(req: PageRequest, branches: SqlBranch[], keys: string[]): SelectQueryBuilder<Report> {
  const found = `(SELECT * FROM report r WHERE ${accessKeysSql('r')} && CAST(:accessKeys AS text[]) AND r.search_vector @@ websearch_to_tsquery('english', :q) AND r.purged_at IS NULL OFFSET 0)`;
  const qb = req.repo.manager.createQueryBuilder().from(found, 'r').setParameters({ accessKeys: keys, q: req.q.q });
  const page = newestFirst(withFilters(req, qb, anyOf(branches), 'none'), 'created_at', req.q).select('r.id', 'id');
  return rowsOf(req, page.getQuery(), [page], null); // the page itself checked need-to-know
}

/**
 * Several branches: each branch's own page (limit + 1, newest first, on the index that serves it; the
 * shared branch as a share-row walk unless a narrow search), merged by a UNION and cut to one page. A
 * caller who may read little or nothing never walks the table. The rows are rechecked (`rowsOf`).
 */
function unionOfBranchesPage(req: PageRequest, branches: SqlBranch[], broad: boolean): SelectQueryBuilder<Report> {
  const text: TextMatch = broad ? 'filter' : 'index';
  const parts = branches.map((b, index): SelectQueryBuilder<ObjectLiteral> => {
    const code = req.q.q && !broad ? null : sharedWith(b);
    if (code !== null) return shareRowWalk(req, b, code, index, text);
    return newestFirst(withFilters(req, req.repo.createQueryBuilder('r'), b, text), 'created_at', req.q).select('r.id', 'id').addSelect('r.created_at', 'created_at');
  });
  const union = parts.map((p) => `(${p.getQuery()})`).join(' UNION ');
  return rowsOf(req, `SELECT u.id FROM (${union}) u ORDER BY u.created_at DESC, u.id DESC LIMIT ${req.q.limit + 1}`, parts, anyOf(branches));
}

/** Need-to-know as one condition: the OR of the branches. */
function anyOf(branches: SqlBranch[]): SqlFragment {
  return { sql: `(${branches.map((b) => `(${b.sql})`).join(' OR ')})`, params: Object.assign({}, ...branches.map((b) => b.params)) as Record<string, unknown> };
}

/**
 * The reports of a page found by id (`pageSql`: ordered and cut on (created_at, id) alone), newest first.
 * `recheck` (after a UNION, whose share-row walk took report_share's word) becomes the `readable`
 * column: a row a share wrongly admits stays in the page, so the listing goes on past it, but is never shown.
 */
function rowsOf(req: PageRequest, pageSql: string, from: SelectQueryBuilder<ObjectLiteral>[], recheck: SqlFragment | null): SelectQueryBuilder<Report> {
  const outer = req.repo.createQueryBuilder('r').where(`r.id IN (${pageSql})`);
  for (const p of from) outer.setParameters(p.getParameters());
  return readableIf(newestFirst(outer, 'created_at', { limit: req.q.limit }), recheck);
}

/**
 * Selects a page query's `readable` column: `cond`, or true where the query's own condition already
 * holds need-to-know. A row that is not readable stays a row of the page but is never shown.
 */
export function readableIf(query: SelectQueryBuilder<Report>, cond: SqlFragment | null): SelectQueryBuilder<Report> {
  return cond ? query.addSelect(`(${cond.sql}) IS TRUE`, 'readable').setParameters(cond.params) : query.addSelect('true', 'readable');
}

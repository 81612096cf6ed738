import type { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import type { SqlFragment } from '../../access/ability-sql';
import { parseIsoDateTime } from '../../common/iso-date';
import type { ListReportsQuery } from '../dto/list-reports.query';
import type { Report } from '../report.entity';

/** One page request as every strategy of the page query reads it: the repository, the query, its dates parsed. */
export interface PageRequest {
  repo: Repository<Report>;
  q: ListReportsQuery;
  from: Date | null;
  to: Date | null;
}

export function pageRequest(repo: Repository<Report>, q: ListReportsQuery): PageRequest {
  const [from, to] = [q.from, q.to].map((v) => (v ? parseIsoDateTime(v) : null)); // validated by the DTO
  return { repo, q, from, to };
}

/** Whether the request filters at all (a share row alone then cannot answer its branch). */
export function anyFilter({ q }: PageRequest): boolean {
  return Boolean(q.category || q.from || q.to || q.q);
}

/**
 * How a strategy applies the text search `q`: 'index' lets the planner use the text index; 'filter'
 * checks it row by row (a broad search's branch walks: the text index's bitmap would be huge); 'none'
 * leaves it to the caller (the access-key search has it in its own scan).
 */
export type TextMatch = 'index' | 'filter' | 'none';

/** `where` (need-to-know, or one branch of it) and the request's filters over the alias `r`. */
export function withFilters<E extends ObjectLiteral>(req: PageRequest, qb: SelectQueryBuilder<E>, where: SqlFragment, text: TextMatch = 'index'): SelectQueryBuilder<E> {
  const { q, from, to } = req;
  qb.andWhere(where.sql, where.params);
  if (q.category) qb.andWhere('r.category = :category', { category: q.category });
  if (from) qb.andWhere('r.occurred_at >= :from', { from });
  if (to) qb.andWhere('r.occurred_at < :to', { to });
  const match = `r.search_vector @@ websearch_to_tsquery('english', :q)`;
  if (q.q && text !== 'none') qb.andWhere(text === 'filter' ? `(${match}) IS TRUE` : match, { q: q.q });
  return qb;
}

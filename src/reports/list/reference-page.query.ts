import type { Repository, SelectQueryBuilder } from 'typeorm';
import type { AppAbility } from '../../access/ability.factory';
import { whereAccessible } from '../../access/ability-sql';
import { parseIsoDateTime } from '../../common/iso-date';
import { newestFirst } from '../../common/pagination';
import type { ListReportsQuery } from '../dto/list-reports.query';
import type { Report } from '../report.entity';

/**
 * What a page of GET /reports is, plainly: need-to-know as one WHERE, the filters, newest first, the
 * keyset cursor, limit + 1. Correct and slow (no index serves the OR of the branches); `reportPageQuery`
 * must return exactly its ids in its order (report-page.query.spec.ts).
 */
export function referencePageQuery(repo: Repository<Report>, ability: AppAbility, q: ListReportsQuery): SelectQueryBuilder<Report> {
  const qb = whereAccessible(repo.createQueryBuilder('r'), ability, 'read', 'Report');
  if (q.category) qb.andWhere('r.category = :category', { category: q.category });
  if (q.from) qb.andWhere('r.occurred_at >= :from', { from: parseIsoDateTime(q.from) });
  if (q.to) qb.andWhere('r.occurred_at < :to', { to: parseIsoDateTime(q.to) });
  if (q.q) qb.andWhere(`r.search_vector @@ websearch_to_tsquery('english', :q)`, { q: q.q });
  return newestFirst(qb, 'created_at', q);
}

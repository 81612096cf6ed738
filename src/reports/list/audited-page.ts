import type { SelectQueryBuilder } from 'typeorm';
import { AuditedStatement, type AuditInput } from '../../audit/audit-writer';
import type { RequestContext } from '../../access/request-context';
import type { ReportEntityValue } from '../report-entity-value.entity';
import { Report } from '../report.entity';

/** A listed report: the row, with its entities in the order the API gives them, and whether the caller may read it. */
export type ListedReport = Report & { entities: Pick<ReportEntityValue, 'type' | 'value' | 'normalized'>[]; readable: boolean };

/** Every selected column of `report`, by property name. */
function reportColumns(query: SelectQueryBuilder<Report>): string[] {
  return query.dataSource.getMetadata(Report).columns.filter((c) => c.isSelect).map((c) => c.propertyName);
}

/**
 * Makes a query over `report r` select what a {@link ListedReport} is made of, by property name: every
 * column, and the report's entities as one JSON array in the order the API gives them (type, then
 * normalized value). Lists and single reads both read reports this way, so a report reads the same.
 */
export function selectListed(query: SelectQueryBuilder<Report>): SelectQueryBuilder<Report> {
  const [first, ...rest] = reportColumns(query);
  query.select(`r.${first}`, first);
  for (const p of rest) query.addSelect(`r.${p}`, p);
  return query.addSelect(
    `(SELECT coalesce(json_agg(json_build_object('type', e.type, 'value', e.value, 'normalized', e.normalized) ORDER BY e.type, e.normalized), '[]')
        FROM report_entity e WHERE e.report_id = r.id)`,
    'entities',
  );
}

/**
 * A page query's rows (limit + 1, newest first) as {@link ListedReport}s, and the read's audit event
 * naming the readable ones of the first `limit`, in one statement: one round trip, one commit, and no
 * rows read without their event. A row that is not readable comes back as its id, `createdAt` and
 * `readable` only: its content stays in the database.
 */
export function auditedPage(query: SelectQueryBuilder<Report>, limit: number, ctx: RequestContext, event: AuditInput): { sql: string; params: unknown[] } {
  const readable = query.expressionMap.selects.find((x) => x.aliasName === 'readable');
  if (!readable) throw new Error('auditedPage: the page query selects no `readable` column (readableIf)');
  const [pageSql, pageParams] = selectListed(query).addSelect(readable.selection, 'readable').getQueryAndParameters();
  const st = new AuditedStatement(ctx, [...(pageParams as unknown[])]); // its parameters follow the page's
  const order = `"createdAt" DESC, id DESC`;
  const first = `SELECT id, "createdAt", readable FROM page ORDER BY ${order} LIMIT ${limit}`;
  const audit = st.audit(event, '(SELECT 1) one', `ARRAY(SELECT id::text FROM (${first}) p WHERE readable ORDER BY ${order})`);
  const content = [...reportColumns(query), 'entities'].filter((c) => c !== 'id' && c !== 'createdAt');
  const shown = ['id', '"createdAt"', 'readable', ...content.map((c) => `CASE WHEN readable THEN "${c}" END AS "${c}"`)].join(', ');
  return { sql: `WITH page AS MATERIALIZED (${pageSql}), a AS (${audit}) SELECT ${shown} FROM page ORDER BY ${order}`, params: st.params };
}

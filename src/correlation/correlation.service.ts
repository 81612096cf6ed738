import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { accessibleSql, type SqlFragment } from '../access/ability-sql';
import { AuditWriter } from '../audit/audit-writer';
import { AppConfig } from '../config/app-config';
import { ReportsErrorCode, ReportsException } from '../reports/reports.errors';
import { decodeCursor, idPageOf, type Page, type PageQuery } from '../common/pagination';
import type { AuthedContext } from '../access/request-context';
import { type EntityType, normaliseEntity } from '../reports/normalise';
import { Report } from '../reports/report.entity';
import { ReportsService } from '../reports/reports.service';
import type { EntitySearchQuery } from './dto/entity-search.query';

export interface EntityKey {
  type: EntityType;
  value: string;
}

export interface HiddenMatch {
  agencyCode: string;
  count: number;
}

export interface OverCommon extends EntityKey {
  /** How many reports hold it, counted only up to the limit: `count > limit`. */
  count: number;
}

export interface Correlation {
  reportId: string;
  /** The shared entities, type then value, at most SHARED_ENTITIES_LISTED of them. */
  sharedEntities: EntityKey[];
  /** How many distinct entities the two reports share (may exceed the listed ones). */
  sharedEntityCount: number;
}

export interface Correlations extends Page<Correlation> {
  /** Per agency, the correlated reports the caller may not read: on the first page only ([] after it). */
  hiddenMatches: HiddenMatch[];
  /** Values too common to correlate (more than CORRELATION_LIMIT reports), like MISP's correlation_limit. */
  overCommon: OverCommon[];
}

export interface EntitySearchResult extends Page<string> {
  /** On the first page only ([] after it). */
  hiddenMatches: HiddenMatch[];
  /** True when the value is over-common: only the first CORRELATION_LIMIT matches were considered. */
  truncated: boolean;
}

/** At most this many shared entities are listed per correlated report; `sharedEntityCount` gives them all. */
export const SHARED_ENTITIES_LISTED = 20;

/**
 * Fusion: reports that share a normalised entity are correlated. The caller sees the correlated
 * reports need-to-know lets them read, and for the rest only a pointer per agency (hit/no-hit) —
 * counted in SQL, so no id or content of an unreadable report leaves the database.
 *
 * Every lookup is bounded: a value held by more than CORRELATION_LIMIT reports is not correlated (it
 * is reported as over-common), and the count that decides it stops at the limit (an index-only
 * `LIMIT limit + 1`), so a hotline number in 100,000 reports costs the same as one in 1,001.
 *
 * Both reads are paged (`limit`, `cursor`) in report-id order, the order of the entity index
 * (type, normalized, report_id): a page walks each shared value's index range from the cursor and
 * stops at `limit + 1` readable reports, so its cost is bounded by the report's entities × the page
 * (never by how many reports share them), the keyset is stable under concurrent inserts, and the
 * response is bounded too (SHARED_ENTITIES_LISTED per item). The per-agency pointers are counted once,
 * on the first page, over the whole correlation (bounded by CORRELATION_LIMIT per value): a cursor,
 * which a caller can forge, never narrows them, so they cannot be used to locate a hidden report.
 */
@Injectable()
export class CorrelationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reports: ReportsService,
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
  ) {}

  async correlations(ctx: AuthedContext, reportId: string, q: PageQuery): Promise<Correlations> {
    const after = q.cursor ? afterCursor(q.cursor) : null;
    await this.reports.readable(ctx, reportId, 'report.correlate');
    const limit = this.config.CORRELATION_LIMIT;
    // The report's distinct values, each counted through the index up to limit + 1 (one statement).
    const counts = await this.ds.query<{ type: EntityType; value: string; n: number }[]>(CORRELATION_KEYS_SQL, [reportId, limit + 1]);
    const overCommon = counts.filter((c) => c.n > limit).map((c) => ({ type: c.type, value: c.value, count: c.n }));
    const keys = counts.filter((c) => c.n <= limit && c.n > 1);

    let items: Correlation[] = [];
    let nextCursor: string | null = null;
    let hiddenMatches: HiddenMatch[] = [];
    if (keys.length) {
      const ntk = this.ntk(ctx);
      const built = correlationPageSql(ntk, keys, reportId, after, q.limit);
      const rows = await this.run<{ reportId: string; shared: EntityKey[]; total: number }>(built.sql, built.params);
      const paged = idPageOf(rows, q.limit, (r) => r.reportId);
      items = paged.page.map((r) => ({ reportId: r.reportId, sharedEntities: r.shared, sharedEntityCount: r.total }));
      nextCursor = paged.nextCursor;
      if (!after) {
        hiddenMatches = await this.hidden(ntk, CORRELATED_IDS_SQL, built.params, KEYS_CTE);
      }
    }

    await this.audit.record(ctx, {
      action: 'report.correlate',
      resourceType: 'Report',
      resourceId: reportId,
      resourceIds: items.map((i) => i.reportId),
      outcome: 'ALLOWED',
      details: { hiddenMatches, overCommon: overCommon.length, cursor: q.cursor ?? null },
    });
    return { items, nextCursor, hiddenMatches, overCommon };
  }

  async searchEntity(ctx: AuthedContext, q: EntitySearchQuery): Promise<EntitySearchResult> {
    const { type } = q;
    const normalised = normaliseEntity(type, q.value);
    if (!normalised.ok) throw new ReportsException(ReportsErrorCode.INVALID_ENTITY_VALUE, `value is not a valid ${type}: ${normalised.reason}`, { fields: ['value'] });
    const value = normalised.value;
    const after = q.cursor ? afterCursor(q.cursor) : null;
    // A caller who may read no report at all (AUDITOR, ADMIN) learns nothing: no pointers (hidden),
    // and not even that the value is over-common.
    if (!ctx.ability.can('read', 'Report')) {
      await this.audit.record(ctx, { action: 'entity.search', resourceType: 'Entity', resourceIds: [], outcome: 'ALLOWED', details: { type, value, hiddenMatches: [], truncated: false, cursor: q.cursor ?? null } });
      return { items: [], nextCursor: null, hiddenMatches: [], truncated: false };
    }
    const limit = this.config.CORRELATION_LIMIT;
    const ntk = this.ntk(ctx);
    const params = { ...ntk.params, type, value, cap: limit, after, take: q.limit + 1 };
    // The candidate set is bounded first (an index range of at most `limit` rows), then filtered.
    const bounded = `SELECT m.report_id FROM report_entity m WHERE m.type = :type AND m.normalized = :value ORDER BY m.report_id LIMIT CAST(:cap AS int)`;
    const [{ n }] = await this.run<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM report_entity m WHERE m.type = :type AND m.normalized = :value LIMIT CAST(:cap AS int) + 1) b`,
      params,
    );
    const truncated = n > limit;
    const rows = await this.run<{ id: string }>(
      `SELECT DISTINCT b.report_id AS id FROM (${bounded}) b
        WHERE ${readableSql(ntk, 'b.report_id')} ${after ? 'AND b.report_id > CAST(:after AS uuid)' : ''}
        ORDER BY b.report_id LIMIT CAST(:take AS int)`,
      params,
    );
    const { page, nextCursor } = idPageOf(rows, q.limit, (r) => r.id);
    const items = page.map((r) => r.id);
    const hiddenMatches = after ? [] : await this.hidden(ntk, bounded, params);
    await this.audit.record(ctx, {
      action: 'entity.search',
      resourceType: 'Entity',
      resourceIds: items,
      outcome: 'ALLOWED',
      details: { type, value, hiddenMatches, truncated, cursor: q.cursor ?? null },
    });
    return { items, nextCursor, hiddenMatches, truncated };
  }

  /** Need-to-know over `report r`, from the caller's ability (the one definition, access/). */
  private ntk(ctx: AuthedContext): SqlFragment {
    return accessibleSql(ctx.ability, 'read', 'Report', this.ds.getRepository(Report).createQueryBuilder('r'));
  }

  /** Runs SQL written with TypeORM's `:name` parameters. */
  private async run<T>(sql: string, params: Record<string, unknown>): Promise<T[]> {
    const [text, values] = this.ds.driver.escapeQueryWithParameters(sql, params);
    return this.ds.query<T[]>(text, values);
  }

  /**
   * One pointer per agency holding matching reports the caller may not read: code and count only.
   * `candidates` selects the matching report ids (a bounded set). Pointers are for those who share
   * intelligence (the hit/no-hit deconfliction model): a caller who may read no report at all (AUDITOR,
   * ADMIN) never gets here (searchEntity answers them first; their correlations are 404), or the entity
   * search would be an index of every agency's holdings on any name or number for the roles kept away
   * from content.
   */
  private async hidden(ntk: SqlFragment, candidates: string, params: Record<string, unknown>, cte?: string): Promise<HiddenMatch[]> {
    const rows = await this.run<HiddenMatch>(hiddenMatchesSql(ntk, candidates, cte), params);
    return rows.map((r) => ({ agencyCode: r.agencyCode, count: Number(r.count) }));
  }
}

/**
 * The report's distinct values (`$1`), each counted through report_entity_lookup_idx up to `$2`
 * (CORRELATION_LIMIT + 1): one statement, index-only, bounded by the report's entities × the limit.
 */
export const CORRELATION_KEYS_SQL = `SELECT k.type, k.value,
        (SELECT count(*)::int FROM (
           SELECT 1 FROM report_entity e WHERE e.type = k.type AND e.normalized = k.value LIMIT $2
         ) bounded) AS n
   FROM (SELECT DISTINCT type, normalized AS value FROM report_entity WHERE report_id = $1) k
  ORDER BY k.type, k.value`;

/** The correlated values as a relation `k(type, value, ord)` (parameters `types`, `values`; `ord` from 1). */
export const KEYS_CTE = `k(type, value, ord) AS (SELECT * FROM unnest(CAST(:types AS text[]), CAST(:values AS text[])) WITH ORDINALITY)`;

/** Every other report holding one of the values `k` (bounded: CORRELATION_LIMIT reports per value). */
export const CORRELATED_IDS_SQL = `SELECT e.report_id FROM k JOIN report_entity e ON e.type = k.type AND e.normalized = k.value WHERE e.report_id <> :self`;

/**
 * Need-to-know for the report `id` (a column), as a scalar sub-select on its primary key: PostgreSQL
 * runs it per row of the index walk that calls it instead of turning it into a join, which on a small
 * report table it would drive from report (every report × every value).
 */
const readableSql = (ntk: SqlFragment, id: string) => `(SELECT (${ntk.sql}) FROM report r WHERE r.id = ${id})`;

/**
 * Per agency, how many of the `candidates` (a SELECT of report ids) the caller may not read (`ntk` over
 * `report r`): each distinct candidate checked on report's primary key (OFFSET 0 keeps PostgreSQL from
 * turning the check into a join that walks report).
 */
export function hiddenMatchesSql(ntk: SqlFragment, candidates: string, cte?: string): string {
  return `${cte ? `WITH ${cte} ` : ''}SELECT a.code AS "agencyCode", count(*)::int AS count
     FROM (SELECT DISTINCT c.report_id FROM (${candidates}) c) c
     CROSS JOIN LATERAL (SELECT r.agency_id FROM report r WHERE r.id = c.report_id AND NOT (${ntk.sql}) OFFSET 0) h
     JOIN agency a ON a.id = h.agency_id
    GROUP BY a.code ORDER BY a.code`;
}

/**
 * One page of correlations, as SQL with TypeORM `:name` parameters (the benchmark builds and EXPLAINs
 * the same text): for each correlated value, its index range (report_entity_lookup_idx) from the
 * cursor, readable reports only, at most limit + 1; their union's first limit + 1 in report-id order;
 * then the page's entities (report_entity_report_idx) matched against the values, the first
 * SHARED_ENTITIES_LISTED of each report listed (in the values' order) and all counted. Rows:
 * `reportId`, `shared` (JSON), `total`. Cost: values × (limit + 1) index entries and primary-key
 * checks, then the page's entities — never the number of reports that share the values.
 */
export function correlationPageSql(ntk: SqlFragment, keys: EntityKey[], self: string, after: string | null, limit: number): SqlFragment {
  return {
    sql: `WITH ${KEYS_CTE},
     page AS (
       SELECT DISTINCT c.report_id FROM k CROSS JOIN LATERAL (
         SELECT DISTINCT e.report_id FROM report_entity e
          WHERE e.type = k.type AND e.normalized = k.value AND e.report_id <> :self
            ${after ? 'AND e.report_id > CAST(:after AS uuid)' : ''}
            AND ${readableSql(ntk, 'e.report_id')}
          ORDER BY e.report_id LIMIT CAST(:take AS int)
       ) c
       ORDER BY c.report_id LIMIT CAST(:take AS int)
     ),
     shared AS (
       SELECT DISTINCT x.report_id, k.ord FROM report_entity x JOIN k ON k.type = x.type AND k.value = x.normalized
        WHERE x.report_id = ANY(ARRAY(SELECT report_id FROM page))
     )
     SELECT s.report_id AS "reportId", count(*)::int AS total,
            coalesce(json_agg(json_build_object('type', (CAST(:types AS text[]))[s.ord], 'value', (CAST(:values AS text[]))[s.ord]) ORDER BY s.ord)
              FILTER (WHERE s.rn <= CAST(:listed AS int)), '[]') AS shared
       FROM (SELECT report_id, ord, row_number() OVER (PARTITION BY report_id ORDER BY ord) AS rn FROM shared) s
      GROUP BY s.report_id
      ORDER BY s.report_id`,
    params: { ...ntk.params, types: keys.map((k) => k.type), values: keys.map((k) => k.value), self, after, take: limit + 1, listed: SHARED_ENTITIES_LISTED },
  };
}

/** The report id a page starts after: the cursor is the last id of the previous page. */
function afterCursor(cursor: string): string {
  return decodeCursor(cursor, ['uuid'])[0].toLowerCase();
}

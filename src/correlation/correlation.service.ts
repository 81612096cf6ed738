import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { accessibleSql } from '../access/ability-sql';
import { Agency } from '../agencies/agency.entity';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { badRequest } from '../common/domain.exception';
import type { AuthedContext } from '../common/request-context';
import { type EntityType, normaliseEntity } from '../reports/normalise';
import { ReportEntity } from '../reports/report-entity.entity';
import { Report } from '../reports/report.entity';
import { ReportsService } from '../reports/reports.service';

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

export interface Correlations {
  items: { reportId: string; sharedEntities: EntityKey[] }[];
  hiddenMatches: HiddenMatch[];
  /** Values too common to correlate (more than CORRELATION_LIMIT reports), like MISP's correlation_limit. */
  overCommon: OverCommon[];
}

export interface EntitySearchResult {
  items: string[];
  hiddenMatches: HiddenMatch[];
  /** True when the value is over-common: only the first CORRELATION_LIMIT matches were considered. */
  truncated: boolean;
}

/**
 * Fusion: reports that share a normalised entity are correlated. The caller sees the correlated
 * reports need-to-know lets them read, and for the rest only a pointer per agency (hit/no-hit) —
 * counted in SQL, so no id or content of an unreadable report leaves the database.
 *
 * Every lookup is bounded: a value held by more than CORRELATION_LIMIT reports is not correlated (it
 * is reported as over-common), and the count that decides it stops at the limit (an index-only
 * `LIMIT limit + 1`), so a hotline number in 100,000 reports costs the same as one in 1,001.
 */
@Injectable()
export class CorrelationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reports: ReportsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async correlations(ctx: AuthedContext, reportId: string): Promise<Correlations> {
    await this.reports.readable(ctx, reportId, 'report.correlate');
    const own = await this.ds
      .getRepository(ReportEntity)
      .createQueryBuilder('e')
      .select(['e.type AS type', 'e.normalized AS value'])
      .distinct(true)
      .where('e.report_id = :reportId', { reportId })
      .getRawMany<EntityKey>();

    const limit = this.config.CORRELATION_LIMIT;
    const counts = own.length
      ? await this.ds.query<{ type: EntityType; value: string; n: number }[]>(
          `SELECT v.type, v.value,
                  (SELECT count(*)::int FROM (
                     SELECT 1 FROM report_entity e WHERE e.type = v.type AND e.normalized = v.value LIMIT $3
                   ) bounded) AS n
             FROM unnest($1::text[], $2::text[]) AS v(type, value)`,
          [own.map((k) => k.type), own.map((k) => k.value), limit + 1],
        )
      : [];
    const overCommon = counts.filter((c) => c.n > limit).map((c) => ({ type: c.type, value: c.value, count: c.n }));
    const keys = counts.filter((c) => c.n <= limit && c.n > 1);

    let items: Correlations['items'] = [];
    let hiddenMatches: HiddenMatch[] = [];
    if (keys.length) {
      const types = keys.map((k) => k.type);
      const values = keys.map((k) => k.value);
      const matching = (qb: SelectQueryBuilder<Report>) =>
        qb
          .innerJoin(ReportEntity, 'e', 'e.report_id = r.id')
          .where('(e.type, e.normalized) IN (SELECT * FROM unnest(CAST(:types AS text[]), CAST(:values AS text[])))', { types, values })
          .andWhere('r.id <> :reportId', { reportId });

      const readable = this.readableOnly(ctx, matching(this.ds.getRepository(Report).createQueryBuilder('r')));
      const rows = await readable
        .select(['r.id AS "reportId"', 'e.type AS type', 'e.normalized AS value', 'r.created_at AS "createdAt"'])
        .orderBy('r.created_at', 'DESC')
        .addOrderBy('r.id', 'DESC')
        .addOrderBy('e.type')
        .addOrderBy('e.normalized')
        .getRawMany<{ reportId: string; type: EntityType; value: string }>();
      const byReport = new Map<string, EntityKey[]>();
      for (const row of rows) {
        const list = byReport.get(row.reportId) ?? [];
        if (!list.some((k) => k.type === row.type && k.value === row.value)) list.push({ type: row.type, value: row.value });
        byReport.set(row.reportId, list);
      }
      items = [...byReport].map(([id, sharedEntities]) => ({ reportId: id, sharedEntities }));
      hiddenMatches = await this.hiddenCounts(ctx, matching(this.ds.getRepository(Report).createQueryBuilder('r')));
    }

    await this.audit.record(ctx, {
      action: 'report.correlate',
      resourceType: 'Report',
      resourceId: reportId,
      resourceIds: items.map((i) => i.reportId),
      outcome: 'ALLOWED',
      details: { hiddenMatches, overCommon: overCommon.length },
    });
    return { items, hiddenMatches, overCommon };
  }

  async searchEntity(ctx: AuthedContext, type: EntityType, rawValue: string): Promise<EntitySearchResult> {
    const n = normaliseEntity(type, rawValue);
    if (!n.ok) throw badRequest(`value is not a valid ${type}: ${n.reason}`, { fields: ['value'] });
    const value = n.value;
    // A caller who may read no report at all (AUDITOR, ADMIN) learns nothing: no pointers (hiddenCounts),
    // and not even that the value is over-common.
    if (!ctx.ability.can('read', 'Report')) {
      await this.audit.record(ctx, { action: 'entity.search', resourceType: 'Entity', resourceIds: [], outcome: 'ALLOWED', details: { type, value, hiddenMatches: [], truncated: false } });
      return { items: [], hiddenMatches: [], truncated: false };
    }
    const limit = this.config.CORRELATION_LIMIT;
    // The candidate set is bounded first (an index range of at most `limit` rows), then filtered.
    const bounded = (size: number) =>
      this.ds
        .getRepository(Report)
        .createQueryBuilder('r')
        .innerJoin(
          (sub) =>
            sub
              .select('m.report_id', 'report_id')
              .from(ReportEntity, 'm')
              .where('m.type = :type AND m.normalized = :value', { type, value })
              .orderBy('m.report_id')
              .limit(size),
          'b',
          'b.report_id = r.id',
        );
    const truncated = (await bounded(limit + 1).getCount()) > limit;
    const readable = await this.readableOnly(ctx, bounded(limit))
      .select('r.id', 'id')
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .getRawMany<{ id: string }>();
    const hiddenMatches = await this.hiddenCounts(ctx, bounded(limit));
    const items = readable.map((r) => r.id);
    await this.audit.record(ctx, {
      action: 'entity.search',
      resourceType: 'Entity',
      resourceIds: items,
      outcome: 'ALLOWED',
      details: { type, value, hiddenMatches, truncated },
    });
    return { items, hiddenMatches, truncated };
  }

  private readableOnly(ctx: AuthedContext, qb: SelectQueryBuilder<Report>): SelectQueryBuilder<Report> {
    const { sql, params } = accessibleSql(ctx.ability, 'read', 'Report', qb);
    return qb.andWhere(sql, params);
  }

  /**
   * One pointer per agency holding matching reports the caller may not read: code and count only.
   * Pointers are for those who share intelligence (the hit/no-hit deconfliction model): a caller who may
   * read no report at all (AUDITOR, ADMIN) never gets here (searchEntity answers them first; their
   * correlations are 404), or the entity search would be an index of every agency's holdings on any
   * name or number for the roles kept away from content.
   */
  private async hiddenCounts(ctx: AuthedContext, qb: SelectQueryBuilder<Report>): Promise<HiddenMatch[]> {
    const { sql, params } = accessibleSql(ctx.ability, 'read', 'Report', qb, 'hid');
    const rows = await qb
      .innerJoin(Agency, 'a', 'a.id = r.agency_id')
      .andWhere(`NOT (${sql})`, params)
      .select('a.code', 'agencyCode')
      .addSelect('count(DISTINCT r.id)::int', 'count')
      .groupBy('a.code')
      .orderBy('a.code')
      .getRawMany<HiddenMatch>();
    return rows.map((r) => ({ agencyCode: r.agencyCode, count: Number(r.count) }));
  }
}

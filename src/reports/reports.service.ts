import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { asSubject } from '../access/ability.factory';
import { requireReadable } from '../access/require-readable';
import { dominates, isSubset } from '../access/markings';
import { AgenciesService } from '../agencies/agencies.service';
import { canonicalJson } from '../audit/canonical';
import { AuditedStatement, type AuditInput, AuditWriter } from '../audit/audit-writer';
import { Clock } from '../config/clock';
import { AppConfig } from '../config/app-config';
import { poolQuery, preparedQuery } from '../common/prepared';
import { ReportsErrorCode, ReportsException } from './reports.errors';
import { parseIsoDateTime } from '../common/iso-date';
import type { Page } from '../common/pagination';
import type { AuthedContext } from '../access/request-context';
import type { CreateReportDto } from './dto/create-report.dto';
import { ListReportsQuery } from './dto/list-reports.query';
import { IdempotencyKey } from './idempotency-key.entity';
import { normaliseEntity } from './normalise';
import { ReportEntityValue } from './report-entity-value.entity';
import { isBroadSearch } from './list/access-keys';
import { auditedPage, type ListedReport, selectListed } from './list/audited-page';
import { fillPage, listEvent } from './list/list-rounds';
import { reportPageQuery } from './list/report-page.query';
import { Report } from './report.entity';

export type ReportView = ReturnType<typeof reportView>;

export function reportView(r: Report, entities: Pick<ReportEntityValue, 'type' | 'value' | 'normalized'>[], withSource: boolean) {
  return {
    id: r.id,
    agencyId: r.agencyId,
    title: r.title,
    narrative: r.narrative,
    category: r.category,
    occurredAt: r.occurredAt.toISOString(),
    location: r.location,
    sourceReliability: r.sourceReliability,
    informationCredibility: r.informationCredibility,
    classification: r.classification,
    compartments: r.compartments,
    tlp: r.tlp,
    releasableTo: r.releasableTo,
    ...(withSource ? { sourceDescription: r.sourceDescription } : {}),
    suspicionBasis: r.suspicionBasis,
    entities: entities.map((e) => ({ type: e.type, value: e.value, normalized: e.normalized })),
    reviewDueAt: r.reviewDueAt.toISOString(),
    validatedAt: r.validatedAt?.toISOString() ?? null,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

export interface CreateOutcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

const DAY_MS = 86_400_000;

@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);
  /** GET /reports/:id's statement (its one parameter, `$1`, the id): a fixed text, built on first use. */
  private oneReportSql?: string;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly agencies: AgenciesService,
  ) {}

  /**
   * Intake. The report, its normalised entities, its audit event and the idempotency record commit
   * together. With an Idempotency-Key, concurrent or later replays wait for the first and return its
   * response; the same key with a different body is 422.
   */
  async create(ctx: AuthedContext, dto: CreateReportDto, idempotencyKey?: string): Promise<CreateOutcome> {
    const p = ctx.principal;
    const compartments = dto.compartments;
    if (!dominates(p.clearance, dto.classification) || !isSubset(compartments, p.compartments)) {
      await this.audit.record(ctx, {
        action: 'report.create',
        resourceType: 'Report',
        outcome: 'DENIED',
        reason: 'marking above the caller’s clearance or compartments',
        details: { classification: dto.classification, compartments },
      });
      throw new ReportsException(ReportsErrorCode.MARKING_ABOVE_CLEARANCE, 'You may not mark a report above your clearance or with compartments you do not hold');
    }
    const entities = (dto.entities ?? []).map((e, i) => {
      const n = normaliseEntity(e.type, e.value);
      if (!n.ok) throw new ReportsException(ReportsErrorCode.INVALID_ENTITY_VALUE, `entities.${i}.value is not a valid ${e.type}: ${n.reason}`, { fields: [`entities.${i}.value`] });
      return { type: e.type, value: e.value, normalized: n.value };
    });
    const releasableTo = dto.releasableTo ?? [];
    await this.agencies.requireCodes(releasableTo, 'releasableTo');

    const requestHash = idempotencyKey ? createHash('sha256').update(canonicalJson({ op: 'report.create', dto })).digest('hex') : '';
    const now = this.clock.now();
    const report = Object.assign(new Report(), {
      id: randomUUID(),
      agencyId: p.agencyId,
      createdBy: p.id,
      title: dto.title,
      narrative: dto.narrative,
      category: dto.category,
      occurredAt: parseIsoDateTime(dto.occurredAt) as Date, // validated by the DTO
      location: dto.location ? { ...dto.location } : null,
      sourceReliability: dto.sourceReliability,
      informationCredibility: dto.informationCredibility,
      classification: dto.classification,
      compartments,
      tlp: dto.tlp,
      releasableTo,
      sourceDescription: dto.sourceDescription ?? null,
      suspicionBasis: dto.suspicionBasis,
      reviewDueAt: new Date(now.getTime() + this.config.RETENTION_REVIEW_DAYS * DAY_MS),
      validatedAt: null,
      createdAt: now,
      purgedAt: null,
    });
    const body = reportView(report, entities, true);

    // Hand-built on purpose: through TypeORM (a transaction of builder inserts) intake took 2–3 × the CPU, half the throughput (docs/decisions.md, issue 19).
    // One statement, one round trip, one commit: the idempotency record (with the response), the report,
    // its entities and its audit event, or — when the key was already claimed — none of them.
    const st = new AuditedStatement(ctx);
    const $ = (value: unknown, type: string): string => st.param(value, type);
    const claim = idempotencyKey
      ? `INSERT INTO idempotency_key (user_id, key, request_hash, status_code, response)
         VALUES (${$(p.id, 'uuid')}, ${$(idempotencyKey, 'text')}, ${$(requestHash, 'text')}, 201, ${$(JSON.stringify(body), 'jsonb')})
         ON CONFLICT DO NOTHING RETURNING 1`
      : 'SELECT 1';
    const insertReport = `INSERT INTO report (id, agency_id, created_by, title, narrative, category, occurred_at, location, source_reliability,
        information_credibility, classification, compartments, tlp, releasable_to, source_description, suspicion_basis, review_due_at, created_at)
      SELECT ${[
        $(report.id, 'uuid'),
        $(report.agencyId, 'uuid'),
        $(report.createdBy, 'uuid'),
        $(report.title, 'text'),
        $(report.narrative, 'text'),
        $(report.category, 'text'),
        $(report.occurredAt, 'timestamptz'),
        $(report.location === null ? null : JSON.stringify(report.location), 'jsonb'),
        $(report.sourceReliability, 'text'),
        $(report.informationCredibility, 'smallint'),
        $(report.classification, 'text'),
        $(report.compartments, 'text[]'),
        $(report.tlp, 'text'),
        $(report.releasableTo, 'text[]'),
        $(report.sourceDescription, 'text'),
        $(report.suspicionBasis, 'text'),
        $(report.reviewDueAt, 'timestamptz'),
        $(report.createdAt, 'timestamptz'),
      ].join(', ')} FROM claim RETURNING id`;
    const insertEntities = `INSERT INTO report_entity (report_id, type, value, normalized)
      SELECT r.id, e.type, e.value, e.normalized FROM r,
        unnest(${$(entities.map((e) => e.type), 'text[]')}, ${$(entities.map((e) => e.value), 'text[]')}, ${$(entities.map((e) => e.normalized), 'text[]')}) AS e(type, value, normalized)`;
    const audit = st.audit(
      {
        action: 'report.create',
        resourceType: 'Report',
        resourceId: report.id,
        outcome: 'ALLOWED',
        details: { classification: report.classification, tlp: report.tlp, entities: entities.length, idempotencyKey: idempotencyKey ?? null },
      },
      'r',
    );
    // Prepared: the text is one of two (with or without a key), so each connection plans it once.
    const [{ created }] = await preparedQuery<{ created: number }>(
      this.ds,
      `WITH claim AS (${claim}), r AS (${insertReport}), e AS (${insertEntities}), a AS (${audit}) SELECT count(*)::int AS created FROM r`,
      st.params,
    );
    if (created === 1) {
      this.audit.chainSoon();
      return { status: 201, body, replayed: false };
    }
    // The key was claimed before (or concurrently, and that request has now committed): replay it.
    if (!idempotencyKey) throw new Error('report intake wrote nothing without an Idempotency-Key');
    return this.replay(ctx, idempotencyKey, requestHash);
  }

  /**
   * A replay returns the stored response, which discloses the report again: it is audited as a read
   * (`report.read`, `details.replay`), in the transaction that reads the stored response, and only while
   * the caller may still read the report (a clearance lowered since: 404 and DENIED, as for a read).
   * Keys are the caller's own (the record's key is the user and the key), so nobody replays another's.
   */
  private async replay(ctx: AuthedContext, key: string, requestHash: string): Promise<CreateOutcome> {
    const details = { replay: true, idempotencyKey: key };
    // The denial is recorded after the transaction, on its own connection: not while this one is held.
    const out = await this.ds.transaction(async (m): Promise<{ outcome: CreateOutcome } | { id: string | null; loaded: Report | null }> => {
      const prior = await m.findOneBy(IdempotencyKey, { userId: ctx.principal.id, key });
      // Forgotten since the claim was refused (retention): nothing to replay, and no report was made.
      if (!prior) throw new ReportsException(ReportsErrorCode.IDEMPOTENCY_KEY_FORGOTTEN, 'The request with this Idempotency-Key was forgotten meanwhile; send it again');
      if (prior.requestHash !== requestHash) throw new ReportsException(ReportsErrorCode.IDEMPOTENCY_KEY_REUSED, 'Idempotency-Key was already used with a different request');
      if (prior.statusCode === null) throw new ReportsException(ReportsErrorCode.IDEMPOTENCY_IN_PROGRESS, 'A request with this Idempotency-Key is still in progress');
      const response = prior.response as (Record<string, unknown> & { id?: unknown }) | null;
      const id = typeof response?.id === 'string' ? response.id : null;
      const loaded = id && response ? await m.findOneBy(Report, { id }) : null;
      if (!loaded || !ctx.ability.can('read', asSubject('Report', loaded))) return { id, loaded };
      await this.audit.record(ctx, { action: 'report.read', resourceType: 'Report', resourceId: loaded.id, outcome: 'ALLOWED', reason: 'idempotent replay', details }, m);
      const { sourceDescription: _source, ...withoutSource } = response ?? {};
      const body = ctx.ability.can('readSource', asSubject('Report', loaded)) ? response : withoutSource;
      return { outcome: { status: prior.statusCode, body, replayed: true } };
    });
    if ('outcome' in out) return out.outcome;
    await requireReadable(this.audit, ctx, 'Report', out.id, out.loaded, { action: 'report.read', alike: 'need-to-know', details });
    throw new Error('unreachable: requireReadable refused the replay above');
  }

  /**
   * One report, if need-to-know allows (checked in memory, `ability.can`); otherwise 404 and a DENIED
   * audit event. The row and its entities are one query, read as a list reads them.
   */
  async findOne(ctx: AuthedContext, id: string): Promise<ReportView> {
    this.oneReportSql ??= selectListed(this.ds.getRepository(Report).createQueryBuilder('r').where('r.id = :id', { id })).getQueryAndParameters()[0];
    const loaded = (await preparedQuery<ListedReport>(this.ds, this.oneReportSql, [id]))[0];
    const report = await requireReadable(this.audit, ctx, 'Report', id, loaded, { action: 'report.read' });
    await this.audit.record(ctx, { action: 'report.read', resourceType: 'Report', resourceId: id, outcome: 'ALLOWED' });
    return reportView(report, report.entities, ctx.ability.can('readSource', asSubject('Report', report)));
  }

  /** Whether a text search is broad (see isBroadSearch): it then walks the branches instead of looking up access keys. */
  isBroadSearch(q: string): Promise<boolean> {
    return isBroadSearch(this.ds, q);
  }

  /** Loads a report the caller may read, or audits the denial and answers 404 (requireReadable). */
  async readable(ctx: AuthedContext, id: string, action: string, m: EntityManager = this.ds.manager): Promise<Report> {
    return requireReadable(this.audit, ctx, 'Report', id, await m.findOneBy(Report, { id }), { action });
  }

  /**
   * Need-to-know filtered in SQL (reportPageQuery), newest first, keyset-paginated; each statement
   * audits the reports it shows. A page that held a report back is filled from the rows after it (fillPage).
   */
  async list(ctx: AuthedContext, q: ListReportsQuery): Promise<Page<ReportView>> {
    let breadth: Promise<boolean> | undefined;
    const isBroad = (s: string) => (breadth ??= this.isBroadSearch(s)); // one EXPLAIN per request, whatever the rounds
    const { shown, nextCursor } = await fillPage(q, (page, round) => this.listRound(ctx, page, listEvent(q, round), isBroad));
    return { items: shown.map((r) => reportView(r, r.entities, ctx.ability.can('readSource', asSubject('Report', r)))), nextCursor };
  }

  /** One statement of a list: a page and its audit event (an event naming nothing when need-to-know lets nothing through). */
  private async listRound(ctx: AuthedContext, page: ListReportsQuery, event: AuditInput, isBroad: (q: string) => Promise<boolean>): Promise<ListedReport[]> {
    const query = await reportPageQuery(this.ds.getRepository(Report), ctx.ability, page, isBroad);
    if (!query) {
      await this.audit.record(ctx, { ...event, resourceIds: [] });
      return [];
    }
    const { sql, params } = auditedPage(query, page.limit, ctx, event);
    const rows = await poolQuery<ListedReport>(this.ds, sql, params);
    this.audit.chainSoon();
    const held = rows.filter((r) => !r.readable).map((r) => r.id);
    if (held.length > 0) this.logger.error({ held, userId: ctx.principal.id }, 'report_share disagrees with report: reports held back from a list');
    return rows;
  }

  /** The originating agency confirms the report is still relevant: review moves forward. */
  async validate(ctx: AuthedContext, id: string): Promise<ReportView> {
    return this.ds.transaction(async (m) => {
      const report = await this.readable(ctx, id, 'report.validate', m);
      if (!ctx.ability.can('validate', asSubject('Report', report))) {
        await this.audit.record(ctx, { action: 'report.validate', resourceType: 'Report', resourceId: id, outcome: 'DENIED', reason: 'not the originating agency' });
        throw new ReportsException(ReportsErrorCode.NOT_ORIGINATING_AGENCY, 'Only the originating agency may validate a report');
      }
      const now = this.clock.now();
      report.validatedAt = now;
      report.reviewDueAt = new Date(now.getTime() + this.config.RETENTION_REVIEW_DAYS * DAY_MS);
      await m.update(Report, { id }, { validatedAt: report.validatedAt, reviewDueAt: report.reviewDueAt });
      await this.audit.record(
        ctx,
        { action: 'report.validate', resourceType: 'Report', resourceId: id, outcome: 'ALLOWED', details: { reviewDueAt: report.reviewDueAt } },
        m,
      );
      const entities = await m.find(ReportEntityValue, { where: { reportId: id } });
      return reportView(report, entities, true);
    });
  }
}

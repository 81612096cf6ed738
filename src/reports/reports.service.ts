import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager, type ObjectLiteral, type Repository, type SelectQueryBuilder } from 'typeorm';
import { type AppAbility, asSubject } from '../access/ability.factory';
import { requireReadable } from '../access/require-readable';
import { accessibleSqlBranches, branchTermsNotOver, branchTermsOver, type SqlFragment } from '../access/ability-sql';
import { dominates, isSubset } from '../access/markings';
import { AgenciesService } from '../agencies/agencies.service';
import { canonicalJson } from '../audit/canonical';
import { AuditedStatement, type AuditInput, AuditWriter } from '../audit/audit-writer';
import { Clock } from '../config/clock';
import { AppConfig } from '../config/app-config';
import { poolQuery, preparedQuery } from '../common/prepared';
import { ReportsErrorCode, ReportsException } from './reports.errors';
import { parseIsoDateTime } from '../common/iso-date';
import { cursorAfter, decodeCursor, newestFirst, type Page, pageOf } from '../common/pagination';
import type { AuthedContext, RequestContext } from '../access/request-context';
import type { CreateReportDto } from './dto/create-report.dto';
import { ListReportsQuery } from './dto/list-reports.query';
import { IdempotencyKey } from './idempotency-key.entity';
import { normaliseEntity } from './normalise';
import { ReportEntityValue } from './report-entity-value.entity';
import { accessKeysSql, branchAccessKeys, isBroadSearch } from './report-access-keys';
import { ReportShare } from './report-share.entity';
import { shareAnswers, sharedWith } from './share-branch';
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

/**
 * The page of reports a caller may read for a list or search: need-to-know, the filters, newest first,
 * limit + 1, each row with its `readable` column (see `rowsOf`); null when need-to-know lets nothing through.
 *
 * One ordered, limited query per need-to-know branch (own agency, shared with the agency, community
 * TLP; everything cleared for a cell analyst), merged by a UNION: each branch runs on the index that
 * serves it, so a caller who may read little or nothing never walks the table (bench/findings.md F2).
 * Exported for the benchmark, which times and explains this page query (the API runs it inside
 * `auditedPage`, with each report's entities and the read's audit event).
 */
export async function reportPageQuery(
  repo: Repository<Report>,
  ability: AppAbility,
  q: ListReportsQuery,
  isBroad: (q: string) => Promise<boolean> = () => Promise.resolve(false),
): Promise<SelectQueryBuilder<Report> | null> {
  // `text`: 'index' lets the planner use the text index; 'filter' checks the text on each row only (a
  // broad search's branch walks: the planner would otherwise AND in the text index's huge bitmap);
  // 'none' leaves it to the caller.
  // Whether a filter `filtered` applies is given (keep the two together: a branch that skips the
  // report's own row, below, is only right without one).
  const anyFilter = Boolean(q.category || q.from || q.to || q.q);
  const [from, to] = [q.from, q.to].map((v) => (v ? parseIsoDateTime(v) : null)); // validated by the DTO
  const filtered = <E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, where: SqlFragment, text: 'index' | 'filter' | 'none' = 'index'): SelectQueryBuilder<E> => {
    qb.andWhere(where.sql, where.params);
    if (q.category) qb.andWhere('r.category = :category', { category: q.category });
    if (from) qb.andWhere('r.occurred_at >= :from', { from });
    if (to) qb.andWhere('r.occurred_at < :to', { to });
    const match = `r.search_vector @@ websearch_to_tsquery('english', :q)`;
    if (q.q && text !== 'none') qb.andWhere(text === 'filter' ? `(${match}) IS TRUE` : match, { q: q.q });
    return qb;
  };
  const branches = accessibleSqlBranches(ability, 'read', 'Report', repo.createQueryBuilder('r'));
  if (branches.length === 0) return null;
  if (branches.length === 1 && (q.q || sharedWith(branches[0]) === null)) return readableIf(newestFirst(filtered(repo.createQueryBuilder('r'), branches[0]), 'created_at', q), null);
  // Need-to-know as one condition: the OR of the branches.
  const anyBranch = { sql: `(${branches.map((b) => `(${b.sql})`).join(' OR ')})`, params: Object.assign({}, ...branches.map((b) => b.params)) as Record<string, unknown> };
  // The page's ids first (`pageSql`: ordered and cut on (created_at, id) alone), then only their rows.
  // `recheck`: when the ids came from the UNION, whose shared branch may take a report_share row's word,
  // each row is checked once more against the whole need-to-know condition, as its `readable` column.
  // Should a share row ever disagree with its report (it cannot while the trigger keeps it), the report
  // stays a row of the page, so that the listing can go on past it, but its content never leaves the
  // database and it is never shown or named to the caller (`auditedPage`, `ReportsService.list`).
  const rowsOf = (pageSql: string, from: SelectQueryBuilder<ObjectLiteral>[], recheck: boolean): SelectQueryBuilder<Report> => {
    const outer = repo.createQueryBuilder('r').where(`r.id IN (${pageSql})`);
    for (const p of from) outer.setParameters(p.getParameters());
    return readableIf(newestFirst(outer, 'created_at', { limit: q.limit }), recheck ? anyBranch : null);
  };
  // Several branches: a search's way depends on its breadth (one EXPLAIN, asked only here).
  const broadSearch = q.q ? await isBroad(q.q) : false;
  // Text search when every branch has access keys (report-access-keys.ts): one scan of
  // report_search_access_idx finds the reports that hold one of the keys and match the term, and each is
  // then checked against the branches' whole condition (their OR). OFFSET 0 keeps the branches' terms
  // out of that scan: the planner would otherwise AND in other indexes' bitmaps for them (e.g. every
  // report shared with the agency), which cost more than the few rows the keys leave.
  const keys = q.q && !broadSearch ? branches.map((b) => branchAccessKeys(b.conditions)) : [];
  if (keys.length > 0 && keys.every((k) => k !== null)) {
    const found = `(SELECT * FROM report r WHERE ${accessKeysSql('r')} && CAST(:accessKeys AS text[]) AND r.search_vector @@ websearch_to_tsquery('english', :q) AND r.purged_at IS NULL OFFSET 0)`;
    const qb = repo.manager.createQueryBuilder().from(found, 'r').setParameters({ accessKeys: keys.flat(), q: q.q });
    const page = newestFirst(filtered(qb, anyBranch, 'none'), 'created_at', q).select('r.id', 'id');
    return rowsOf(page.getQuery(), [page], false); // the keys' rows are checked against anyBranch in the page itself
  }
  const text = broadSearch ? 'filter' : 'index';
  const parts = branches.map((b, index): SelectQueryBuilder<ObjectLiteral> => {
    const code = q.q && !broadSearch ? null : sharedWith(b);
    if (code === null) return newestFirst(filtered(repo.createQueryBuilder('r'), b, text), 'created_at', q).select('r.id', 'id').addSelect('r.created_at', 'created_at');
    // Shared with the caller's agency (and no text search, or a broad one: see isBroadSearch): walk the
    // agency's shares newest first (report_share's primary key, which carries the report's markings)
    // until the page is full. A share row exists only for a live report releasable to its agency
    // (the trigger of the ShareLiveAgencyCover migration), so when the branch asks nothing else of the
    // report than those and the markings, the row answers it alone, in the index. Otherwise (a filter,
    // a broad search's text, a term report_share does not copy) each share's report is checked against
    // the whole branch: a scalar sub-select, which PostgreSQL runs per share rather than turning it
    // into a join that would read every report shared with the agency before sorting.
    const qb = repo.manager.createQueryBuilder(ReportShare, 's');
    const markings = branchTermsOver(b, qb, `share${index}`);
    qb.select('s.report_id', 'id')
      .addSelect('s.created_at', 'created_at')
      .where('s.agency_code = :shareCode', { shareCode: code })
      .andWhere(markings.sql, markings.params);
    if (anyFilter || !shareAnswers(branchTermsNotOver(b, qb), code)) {
      const check = filtered(repo.createQueryBuilder('r').select('true').where('r.id = s.report_id'), b, text);
      qb.andWhere(`(${check.getQuery()})`).setParameters(check.getParameters());
    }
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, ['date', 'uuid']);
      qb.andWhere('(s.created_at, s.report_id) < (:cursorAt, :cursorId)', { cursorAt: at, cursorId: id });
    }
    return qb.orderBy('s.created_at', 'DESC').addOrderBy('s.report_id', 'DESC').limit(q.limit + 1);
  });
  // The branches' pages merged by a UNION.
  const union = parts.map((p) => `(${p.getQuery()})`).join(' UNION ');
  return rowsOf(`SELECT u.id FROM (${union}) u ORDER BY u.created_at DESC, u.id DESC LIMIT ${q.limit + 1}`, parts, true);
}

/** A listed report: the row, with its entities in the order the API gives them, and whether the caller may read it. */
type ListedReport = Report & { entities: Pick<ReportEntityValue, 'type' | 'value' | 'normalized'>[]; readable: boolean };

/**
 * Selects a page query's `readable` column: `cond`, or true where the query's own condition already
 * holds need-to-know. A row that is not readable stays a row of the page but is never shown.
 */
function readableIf(query: SelectQueryBuilder<Report>, cond: SqlFragment | null): SelectQueryBuilder<Report> {
  return cond ? query.addSelect(`(${cond.sql}) IS TRUE`, 'readable').setParameters(cond.params) : query.addSelect('true', 'readable');
}

/** Every selected column of `report`, by property name. */
function reportColumns(query: SelectQueryBuilder<Report>): string[] {
  return query.dataSource.getMetadata(Report).columns.filter((c) => c.isSelect).map((c) => c.propertyName);
}

/**
 * Makes a query over `report r` select what a {@link ListedReport} is made of, by property name: every
 * column, and the report's entities as one JSON array in the order the API gives them (type, then
 * normalized value). Lists and single reads both read reports this way, so a report reads the same.
 */
function selectListed(query: SelectQueryBuilder<Report>): SelectQueryBuilder<Report> {
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
 * naming the readable ones of the first `limit`, in one statement: one round trip and one commit, and
 * the rows are never read without the event that records it (both commit, or neither). A row that is
 * not readable comes back as its id, `createdAt` and `readable` only: its content stays in the database.
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

export interface CreateOutcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

const DAY_MS = 86_400_000;

/** How many statements one list request runs to fill a page past held-back reports, once it has a report to show (see `list`). */
const MAX_LIST_ROUNDS = 4;

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

    // One statement, so one round trip and one commit: the idempotency record (with the response), the
    // report, its entities and its audit event are written together, or — when the key was already
    // claimed — none of them. Every value is known here (the id is made here), so nothing needs reading back.
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
    return this.ds.transaction(async (m) => {
      const prior = await m.findOneBy(IdempotencyKey, { userId: ctx.principal.id, key });
      // Forgotten since the claim was refused (retention): nothing to replay, and no report was made.
      if (!prior) throw new ReportsException(ReportsErrorCode.IDEMPOTENCY_KEY_FORGOTTEN, 'The request with this Idempotency-Key was forgotten meanwhile; send it again');
      if (prior.requestHash !== requestHash) throw new ReportsException(ReportsErrorCode.IDEMPOTENCY_KEY_REUSED, 'Idempotency-Key was already used with a different request');
      if (prior.statusCode === null) throw new ReportsException(ReportsErrorCode.IDEMPOTENCY_IN_PROGRESS, 'A request with this Idempotency-Key is still in progress');
      const response = prior.response as (Record<string, unknown> & { id?: unknown }) | null;
      const id = typeof response?.id === 'string' ? response.id : null;
      const loaded = id && response ? await m.findOneBy(Report, { id }) : null;
      const report = await requireReadable(this.audit, ctx, 'Report', id, loaded, { action: 'report.read', alike: 'need-to-know', details });
      await this.audit.record(ctx, { action: 'report.read', resourceType: 'Report', resourceId: report.id, outcome: 'ALLOWED', reason: 'idempotent replay', details }, m);
      const { sourceDescription: _source, ...withoutSource } = response ?? {};
      const body = ctx.ability.can('readSource', asSubject('Report', report)) ? response : withoutSource;
      return { status: prior.statusCode, body, replayed: true };
    });
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
   * Need-to-know filtered in SQL (see reportPageQuery), newest first, keyset-paginated; the ids returned
   * are audited. A page that held back a report (see `rowsOf`) is filled from the rows after it, within
   * this request, so the cursor the caller gets is always a report they were shown: up to
   * MAX_LIST_ROUNDS statements, and on until one report is shown or the rows end. Each statement's
   * audit event names the reports it added to the page.
   */
  async list(ctx: AuthedContext, q: ListReportsQuery): Promise<Page<ReportView>> {
    let breadth: Promise<boolean> | undefined;
    const isBroad = (s: string) => (breadth ??= this.isBroadSearch(s)); // one EXPLAIN per request, whatever the rounds
    const event = (round: number): AuditInput => ({
      action: 'report.list',
      resourceType: 'Report',
      outcome: 'ALLOWED',
      details: { category: q.category ?? null, from: q.from ?? null, to: q.to ?? null, q: q.q ?? null, cursor: q.cursor ?? null, ...(round > 0 ? { round: round + 1 } : {}) },
    });
    const shown: ListedReport[] = [];
    let after = q.cursor;
    let more = false;
    for (let round = 0; ; round++) {
      const want = q.limit - shown.length;
      const query = await reportPageQuery(this.ds.getRepository(Report), ctx.ability, Object.assign(new ListReportsQuery(), q, { limit: want, cursor: after }), isBroad);
      if (!query) {
        await this.audit.record(ctx, { ...event(round), resourceIds: [] });
        break;
      }
      const { sql, params } = auditedPage(query, want, ctx, event(round));
      const rows = await poolQuery<ListedReport>(this.ds, sql, params);
      this.audit.chainSoon();
      const { page, nextCursor } = pageOf(rows, want, (r) => r.createdAt);
      shown.push(...page.filter((r) => r.readable));
      more = nextCursor !== null;
      const held = rows.filter((r) => !r.readable).map((r) => r.id);
      if (held.length > 0) this.logger.error({ held, userId: ctx.principal.id }, 'report_share disagrees with report: reports held back from a list');
      if (shown.length === q.limit || !more || (round + 1 >= MAX_LIST_ROUNDS && shown.length > 0)) break;
      after = nextCursor ?? undefined; // past the held rows: this request's own position, never given out
    }
    const last = shown[shown.length - 1];
    return {
      items: shown.map((r) => reportView(r, r.entities, ctx.ability.can('readSource', asSubject('Report', r)))),
      nextCursor: more && last ? cursorAfter(last.createdAt, last.id) : null,
    };
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

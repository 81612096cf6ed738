import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, type DataSource, type EntityManager, In } from 'typeorm';
import { parseIsoDateTime } from '../common/iso-date';
import { type AppAbility, asSubject } from '../access/ability.factory';
import { accessibleSql } from '../access/ability-sql';
import { requireOneOf, requireReadable } from '../access/require-readable';
import { dominates, isSubset } from '../access/markings';
import { AuditWriter } from '../audit/audit-writer';
import { AssessmentsErrorCode, AssessmentsException } from './assessments.errors';
import { CommonErrorCode, CommonException } from '../common/common.errors';
import { ReportsErrorCode, ReportsException } from '../reports/reports.errors';
import { AgenciesService } from '../agencies/agencies.service';
import { newestFirst, type Page, pageOf } from '../common/pagination';
import type { AuthedContext } from '../access/request-context';
import { OutboxService } from '../outbox/outbox.service';
import { RelayService } from '../outbox/relay.service';
import { Report } from '../reports/report.entity';
import { recipientsOf } from './assessment-recipients';
import { Assessment } from './assessment.entity';
import { type AssessmentView, draftedText, fullView, fullViewFor, tearlineOf, tearlineView } from './assessment-views';
import { underMarked } from './derivative-marking';
import type { CreateAssessmentDto, UpdateAssessmentDto } from './dto/assessment.dto';
import type { ListAssessmentsQuery } from './dto/list-assessments.query';

/** Of the assessment ids, those the reader may read at all: in full, or by the tearline. */
export async function visibleAssessmentIds(m: EntityManager, ability: AppAbility, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await m.getRepository(Assessment).findBy({ id: In(ids) });
  return new Set(found.filter((a) => ability.can('read', asSubject('Assessment', a)) || ability.can('readTearline', asSubject('Assessment', a))).map((a) => a.id));
}

type Fields = Omit<CreateAssessmentDto, 'distribution' | 'tearline' | 'validUntil' | 'region' | 'supersedes'> & {
  validUntil: Date;
  distributionAll: boolean;
  distributionCodes: string[];
  tearlineSummary: string | null;
  tearlineClassification: Assessment['tearlineClassification'];
  tearlineTlp: Assessment['tearlineTlp'];
  region: string | null;
  supersedes: string | null;
};

/**
 * Drafting, review and publication of assessments: the two-person rule, derivative marking and
 * tearlines. Reads are need-to-know filtered by the ability (full text, tearline only, or 404).
 */
@Injectable()
export class AssessmentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditWriter,
    private readonly outbox: OutboxService,
    private readonly relay: RelayService,
    private readonly agencies: AgenciesService,
  ) {}

  async create(ctx: AuthedContext, dto: CreateAssessmentDto): Promise<AssessmentView> {
    const fields = this.fieldsOf(dto);
    await this.checkMarkings(ctx, fields);
    return this.ds.transaction(async (m) => {
      const now = new Date();
      const a = await m.save(m.create(Assessment, { ...fields, authorId: ctx.principal.id, status: 'DRAFT', createdAt: now, updatedAt: now }));
      await this.audit.record(ctx, { action: 'assessment.create', resourceType: 'Assessment', resourceId: a.id, outcome: 'ALLOWED', resourceIds: a.reportIds }, m);
      return fullView(a, a.reportIds);
    });
  }

  async update(ctx: AuthedContext, id: string, dto: UpdateAssessmentDto): Promise<AssessmentView> {
    return this.ds.transaction(async (m) => {
      const a = await this.readable(ctx, id, 'assessment.update', m, true);
      await this.requireState(ctx, a, 'update', 'DRAFT', 'Only the author may edit a draft');
      // null may clear only what may be empty; anything else is a 400, never a NOT NULL violation.
      const nulls = Object.entries(dto).filter(([k, v]) => v === null && !['region', 'supersedes', 'tearline'].includes(k)).map(([k]) => k);
      if (nulls.length) throw new CommonException(CommonErrorCode.VALIDATION, nulls.map((k) => `${k} must not be null`).join('; '), { fields: nulls });
      const current = this.currentDto(a);
      const fields = this.fieldsOf({ ...current, ...stripUndefined(dto) });
      await this.checkMarkings(ctx, fields);
      Object.assign(a, fields, { updatedAt: new Date() });
      await m.save(a);
      await this.audit.record(ctx, { action: 'assessment.update', resourceType: 'Assessment', resourceId: id, outcome: 'ALLOWED', details: { fields: Object.keys(stripUndefined(dto)) } }, m);
      return fullView(a, a.reportIds);
    });
  }

  async submit(ctx: AuthedContext, id: string): Promise<AssessmentView> {
    return this.ds.transaction(async (m) => {
      const a = await this.readable(ctx, id, 'assessment.submit', m, true);
      await this.requireState(ctx, a, 'submit', 'DRAFT', 'Only the author may submit a draft');
      a.status = 'IN_REVIEW';
      a.submittedAt = a.updatedAt = new Date();
      await m.save(a);
      await this.audit.record(ctx, { action: 'assessment.submit', resourceType: 'Assessment', resourceId: id, outcome: 'ALLOWED' }, m);
      return fullView(a, a.reportIds);
    });
  }

  /**
   * Publication by a supervisor who is not the author (two-person rule), from IN_REVIEW only.
   * Supersedes the named assessment in the same transaction, and writes the disseminations it causes
   * (the outbox) in it too; the relay queues them once it has committed.
   */
  async publish(ctx: AuthedContext, id: string): Promise<AssessmentView> {
    const view = await this.ds.transaction(async (m) => {
      const a = await this.readable(ctx, id, 'assessment.publish', m, true);
      if (a.status !== 'IN_REVIEW') {
        await this.deny(ctx, 'assessment.publish', id, `status is ${a.status}`);
        throw new AssessmentsException(AssessmentsErrorCode.WRONG_STATE, `Only an assessment IN_REVIEW can be published (this one is ${a.status})`);
      }
      if (a.authorId === ctx.principal.id) {
        await this.deny(ctx, 'assessment.publish', id, 'two-person rule: author may not publish');
        throw new AssessmentsException(AssessmentsErrorCode.TWO_PERSON_RULE, 'Two-person rule: the author may not publish their own assessment');
      }
      const now = new Date();
      if (a.supersedes) {
        // The second person approves the supersession too, so they must be able to review what it
        // retires. Asked first, so that its state is not disclosed to one who may not read it.
        const old = await requireReadable(this.audit, ctx, 'Assessment', id, await m.findOne(Assessment, { where: { id: a.supersedes }, lock: { mode: 'pessimistic_write' } }), {
          action: 'assessment.publish',
          alike: 'supersedes an assessment the publisher cannot read',
          error: () => new AssessmentsException(AssessmentsErrorCode.SUPERSEDES_UNREADABLE, 'This assessment supersedes one you cannot read: it needs a supervisor who can review both', { fields: ['supersedes'] }),
        });
        if (old.status !== 'PUBLISHED' || old.supersededBy) {
          throw new AssessmentsException(AssessmentsErrorCode.SUPERSEDED_NOT_CURRENT, 'The assessment named in supersedes is not a current published assessment');
        }
        old.supersededBy = a.id;
        old.supersededAt = now;
        await m.save(old);
        await this.audit.record(ctx, { action: 'assessment.supersede', resourceType: 'Assessment', resourceId: old.id, outcome: 'ALLOWED', details: { by: a.id } }, m);
      }
      a.status = 'PUBLISHED';
      a.publishedAt = a.updatedAt = now;
      a.publishedBy = ctx.principal.id;
      await m.save(a);
      await this.audit.record(ctx, { action: 'assessment.publish', resourceType: 'Assessment', resourceId: id, outcome: 'ALLOWED', resourceIds: a.reportIds }, m);
      await this.outbox.write(ctx, m, await recipientsOf(m, a));
      return fullView(a, await this.readableReportIds(ctx, a.reportIds, m), await this.readableLinks(ctx, [a], m));
    });
    this.relay.kick();
    return view;
  }

  async findOne(ctx: AuthedContext, id: string): Promise<AssessmentView> {
    const loaded = await this.ds.getRepository(Assessment).findOneBy({ id });
    const { row: a, allowed } = await requireOneOf(this.audit, ctx, 'Assessment', id, loaded, ['read', 'readTearline'], { action: 'assessment.read' });
    const variant = allowed === 'read' ? 'FULL' : 'TEARLINE';
    await this.audit.record(ctx, { action: 'assessment.read', resourceType: 'Assessment', resourceId: id, outcome: 'ALLOWED', details: { variant } });
    if (variant === 'TEARLINE') return tearlineView(a);
    return fullViewFor(ctx.ability, fullView(a, await this.readableReportIds(ctx, a.reportIds), await this.readableLinks(ctx, [a])));
  }

  async list(ctx: AuthedContext, q: ListAssessmentsQuery): Promise<Page<AssessmentView>> {
    const qb = this.ds.getRepository(Assessment).createQueryBuilder('a');
    const full = accessibleSql(ctx.ability, 'read', 'Assessment', qb, 'full');
    const tear = accessibleSql(ctx.ability, 'readTearline', 'Assessment', qb, 'tear');
    qb.where(new Brackets((w) => w.where(full.sql, full.params).orWhere(tear.sql, tear.params)));
    if (q.status) qb.andWhere('a.status = :status', { status: q.status });
    const rows = await newestFirst(qb, 'created_at', q).getMany();
    const { page, nextCursor } = pageOf(rows, q.limit, (a) => a.createdAt);
    const readableReports = new Set(await this.readableReportIds(ctx, [...new Set(page.flatMap((a) => a.reportIds))]));
    const links = await this.readableLinks(ctx, page);
    const items = page.map((a) =>
      ctx.ability.can('read', asSubject('Assessment', a))
        ? fullViewFor(ctx.ability, fullView(a, a.reportIds.filter((r) => readableReports.has(r)), links))
        : tearlineView(a),
    );
    await this.audit.record(ctx, {
      action: 'assessment.list',
      resourceType: 'Assessment',
      resourceIds: page.map((a) => a.id),
      outcome: 'ALLOWED',
      details: { status: q.status ?? null, tearlineOnly: items.filter((i) => i.variant === 'TEARLINE').map((i) => i.id) },
    });
    return { items, nextCursor };
  }

  /** Loads an assessment the caller may read in full, or audits the denial and answers 404 (requireReadable). */
  async readable(ctx: AuthedContext, id: string, action: string, m: EntityManager = this.ds.manager, lock = false): Promise<Assessment> {
    const a = await m.findOne(Assessment, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return requireReadable(this.audit, ctx, 'Assessment', id, a, { action });
  }

  /** The subset of `ids` the caller may read (cited report ids are not disclosed otherwise). */
  async readableReportIds(ctx: AuthedContext, ids: string[], m: EntityManager = this.ds.manager): Promise<string[]> {
    if (ids.length === 0) return [];
    const qb = m.getRepository(Report).createQueryBuilder('r').select('r.id', 'id').where('r.id IN (:...ids)', { ids });
    const { sql, params } = accessibleSql(ctx.ability, 'read', 'Report', qb);
    const rows = await qb.andWhere(sql, params).getRawMany<{ id: string }>();
    const readable = new Set(rows.map((r) => r.id));
    return ids.filter((i) => readable.has(i));
  }

  /** Of the assessments `of` link to (supersedes, supersededBy), those the reader may read in full or by tearline. */
  private async readableLinks(ctx: AuthedContext, of: Assessment[], m: EntityManager = this.ds.manager): Promise<Set<string>> {
    const ids = [...new Set(of.flatMap((a) => [a.supersedes, a.supersededBy]).filter((x): x is string => x !== null))];
    return visibleAssessmentIds(m, ctx.ability, ids);
  }

  private async requireState(ctx: AuthedContext, a: Assessment, action: 'update' | 'submit', state: 'DRAFT', notAuthor: string): Promise<void> {
    if (a.authorId !== ctx.principal.id) {
      await this.deny(ctx, `assessment.${action}`, a.id, 'not the author');
      throw new AssessmentsException(AssessmentsErrorCode.NOT_AUTHOR, notAuthor);
    }
    if (a.status !== state) {
      await this.deny(ctx, `assessment.${action}`, a.id, `status is ${a.status}`);
      throw new AssessmentsException(AssessmentsErrorCode.WRONG_STATE, `The assessment is ${a.status}, not ${state}`);
    }
  }

  private deny(ctx: AuthedContext, action: string, id: string, reason: string): Promise<void> {
    return this.audit.record(ctx, { action, resourceType: 'Assessment', resourceId: id, outcome: 'DENIED', reason });
  }

  private fieldsOf(dto: CreateAssessmentDto): Fields {
    const { distribution, tearline, validUntil, ...rest } = dto;
    if (dto.scope === 'REGIONAL' && !dto.region) throw new CommonException(CommonErrorCode.VALIDATION, 'region is required when scope is REGIONAL', { fields: ['region'] });
    const validUntilDate = parseIsoDateTime(validUntil) ?? new Date(NaN); // validated by the DTO
    return {
      ...rest,
      region: dto.region ?? null,
      supersedes: dto.supersedes ?? null,
      validUntil: validUntilDate,
      distributionAll: distribution.all === true,
      distributionCodes: distribution.all === true ? [] : (distribution.agencyCodes ?? []),
      tearlineSummary: tearline?.summary ?? null,
      tearlineClassification: tearline?.classification ?? null,
      tearlineTlp: tearline?.tlp ?? null,
    };
  }

  private currentDto(a: Assessment): CreateAssessmentDto {
    const tearline = tearlineOf(a);
    return {
      ...draftedText(a),
      region: a.region ?? undefined,
      sectors: a.sectors,
      reportIds: a.reportIds,
      classification: a.classification,
      compartments: a.compartments,
      tlp: a.tlp,
      validUntil: a.validUntil.toISOString(),
      distribution: a.distributionAll ? { all: true } : { agencyCodes: a.distributionCodes },
      supersedes: a.supersedes ?? undefined,
      tearline: tearline ?? undefined,
    };
  }

  /** The author's clearance, the tearline, cited reports (readable, derivative marking), distribution, supersedes. */
  private async checkMarkings(ctx: AuthedContext, f: Fields): Promise<void> {
    const p = ctx.principal;
    if (!dominates(p.clearance, f.classification) || !isSubset(f.compartments, p.compartments)) {
      throw new ReportsException(ReportsErrorCode.MARKING_ABOVE_CLEARANCE, 'You may not mark an assessment above your clearance or with compartments you do not hold');
    }
    if (f.tearlineClassification && !dominates(f.classification, f.tearlineClassification)) {
      throw new AssessmentsException(AssessmentsErrorCode.TEARLINE_ABOVE_ASSESSMENT, 'The tearline must be marked no higher than the assessment', { fields: ['tearline.classification'] });
    }
    if (f.reportIds.length) {
      const found = await this.ds.getRepository(Report).findBy({ id: In(f.reportIds) });
      const readable = found.filter((r) => ctx.ability.can('read', asSubject('Report', r)));
      const unreadable = f.reportIds.filter((id) => !readable.some((r) => r.id === id));
      if (unreadable.length) {
        throw new AssessmentsException(AssessmentsErrorCode.CITES_UNREADABLE_REPORT, `reportIds cites reports you cannot read: ${unreadable.join(', ')}`, { reportIds: unreadable });
      }
      const offending = underMarked(f, readable);
      if (offending.length) {
        throw new AssessmentsException(
          AssessmentsErrorCode.DERIVATIVE_MARKING,
          `Derivative marking: the assessment must be marked at least as high as every cited report (classification, compartments, TLP); not covered: ${offending.join(', ')}`,
          { reportIds: offending },
        );
      }
    }
    if (!f.distributionAll) await this.agencies.requireCodes(f.distributionCodes, 'distribution.agencyCodes');
    if (f.supersedes) {
      const old = await this.ds.getRepository(Assessment).findOneBy({ id: f.supersedes });
      if (!old || !ctx.ability.can('read', asSubject('Assessment', old)) || old.status !== 'PUBLISHED' || old.supersededBy) {
        throw new AssessmentsException(AssessmentsErrorCode.INVALID_SUPERSEDES, 'supersedes must name a current published assessment you can read', { fields: ['supersedes'] });
      }
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

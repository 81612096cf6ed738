import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In, type Repository } from 'typeorm';
import { asSubject } from '../access/ability.factory';
import { whereAccessible } from '../access/ability-sql';
import { THREAT_LEVELS, type ThreatLevel } from '../access/markings';
import { Assessment } from '../assessments/assessment.entity';
import { visibleAssessmentIds } from '../assessments/assessments.service';
import { AuditWriter } from '../audit/audit-writer';
import { ThreatLevelErrorCode, ThreatLevelException } from './threat-level.errors';
import type { AuthedContext, RequestContext } from '../access/request-context';
import { OutboxService } from '../outbox/outbox.service';
import { RelayService } from '../outbox/relay.service';
import type { SetThreatLevelDto } from './dto/set-threat-level.dto';
import { ThreatLevelChange } from './threat-level-change.entity';

/** A change of level; `readable`: the cited assessments the reader may read (in full or by tearline), the others left out. */
export function changeView(c: ThreatLevelChange, readable?: Set<string>) {
  const assessmentIds = readable ? c.assessmentIds.filter((id) => readable.has(id)) : c.assessmentIds;
  return { level: c.level, since: c.since.toISOString(), setBy: c.setBy, justification: c.justification, assessmentIds };
}

const rank = (l: ThreatLevel) => THREAT_LEVELS.indexOf(l);

/**
 * The national threat level: the system recommends, a supervisor sets with a justification citing
 * published assessments, and the history is append-only.
 */
@Injectable()
export class ThreatLevelService {
  constructor(
    @InjectRepository(ThreatLevelChange) private readonly changes: Repository<ThreatLevelChange>,
    // A change commits with its audit event and its notices (outbox); reads join assessments.
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditWriter,
    private readonly outbox: OutboxService,
    private readonly relay: RelayService,
  ) {}

  /** The level in force. The bootstrap writes the initial LOW, so there always is one. */
  async current(): Promise<{ level: ThreatLevel; since: string }> {
    const [c] = await this.changes.find({ order: { since: 'DESC' }, take: 1 });
    return c ? { level: c.level, since: c.since.toISOString() } : { level: 'LOW', since: new Date(0).toISOString() };
  }

  /** Newest first. Each change cites only the assessments the reader may read: the ids of others are not disclosed. */
  async history(ctx: AuthedContext) {
    const rows = await this.changes.find({ order: { since: 'DESC' } });
    const readable = await visibleAssessmentIds(this.ds.manager, ctx.ability, [...new Set(rows.flatMap((c) => c.assessmentIds))]);
    const history = rows.map((c) => changeView(c, readable));
    // The changes returned and the assessments they were shown to cite, so `?resourceId=` finds this read.
    const shown = [...rows.map((c) => c.id), ...new Set(history.flatMap((c) => c.assessmentIds))];
    await this.audit.record(ctx, { action: 'threat_level.history', resourceType: 'ThreatLevel', resourceIds: shown, outcome: 'ALLOWED' });
    return history;
  }

  /**
   * The highest recommendedLevel among published, unexpired, unsuperseded NATIONAL assessments (that
   * the caller may read), LOW when none; every such assessment is listed, highest first.
   */
  async recommendation(ctx: AuthedContext) {
    const qb = this.ds
      .getRepository(Assessment)
      .createQueryBuilder('a')
      .where(`a.status = 'PUBLISHED'`)
      .andWhere(`a.scope = 'NATIONAL'`)
      .andWhere('a.superseded_by IS NULL')
      .andWhere('a.valid_until > now()');
    const rows = await whereAccessible(qb, ctx.ability, 'read', 'Assessment').getMany();
    rows.sort((x, y) => rank(y.recommendedLevel) - rank(x.recommendedLevel) || (y.publishedAt?.getTime() ?? 0) - (x.publishedAt?.getTime() ?? 0));
    const level: ThreatLevel = rows[0]?.recommendedLevel ?? 'LOW';
    const contributing = rows.map((a) => ({ assessmentId: a.id, recommendedLevel: a.recommendedLevel }));
    await this.audit.record(ctx, { action: 'threat_level.recommend', resourceType: 'ThreatLevel', resourceIds: contributing.map((c) => c.assessmentId), outcome: 'ALLOWED', details: { level } });
    return { level, contributing };
  }

  /** Sets the level; every active agency gets a THREAT_LEVEL notice, written in the same transaction (outbox). */
  async set(ctx: AuthedContext, dto: SetThreatLevelDto) {
    const cited = await this.ds.getRepository(Assessment).findBy({ id: In(dto.assessmentIds) });
    const ok = cited.filter((a) => a.status === 'PUBLISHED' && ctx.ability.can('read', asSubject('Assessment', a)));
    const bad = dto.assessmentIds.filter((id) => !ok.some((a) => a.id === id));
    if (bad.length) {
      throw new ThreatLevelException(ThreatLevelErrorCode.ASSESSMENT_NOT_CITABLE, `assessmentIds must cite published assessments you can read; not: ${bad.join(', ')}`, { assessmentIds: bad });
    }
    const view = await this.ds.transaction(async (m) => {
      // One change at a time, so `since` orders the history.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('threat_level'))`);
      const previous = await m.findOne(ThreatLevelChange, { where: {}, order: { since: 'DESC' } });
      const change = await m.save(
        m.create(ThreatLevelChange, { level: dto.level, since: new Date(), setBy: ctx.principal.id, justification: dto.justification, assessmentIds: dto.assessmentIds }),
      );
      await this.audit.record(
        ctx,
        { action: 'threat_level.set', resourceType: 'ThreatLevel', resourceId: change.id, resourceIds: dto.assessmentIds, outcome: 'ALLOWED', details: { level: dto.level, previous: previous?.level ?? null } },
        m,
      );
      await this.outbox.forThreatLevel(ctx, m, change);
      return changeView(change);
    });
    this.relay.kick();
    return view;
  }

  /** Writes the initial LOW level when there is none (called by the bootstrap). */
  async ensureInitial(ctx: RequestContext, m: EntityManager): Promise<void> {
    if ((await m.count(ThreatLevelChange)) > 0) return;
    const change = await m.save(m.create(ThreatLevelChange, { level: 'LOW', since: new Date(), setBy: null, justification: 'Initial level at bootstrap', assessmentIds: [] }));
    await this.audit.record(ctx, { action: 'threat_level.set', resourceType: 'ThreatLevel', resourceId: change.id, outcome: 'ALLOWED', details: { level: 'LOW', bootstrap: true } }, m);
  }
}

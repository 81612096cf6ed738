import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { type AppAbility, asSubject, onlySome } from '../access/ability.factory';
import type { Principal } from '../access/principal';
import { requireReadable } from '../access/require-readable';
import { Assessment } from '../assessments/assessment.entity';
import { visibleAssessmentIds } from '../assessments/assessments.service';
import { AuditWriter } from '../audit/audit-writer';
import { DisseminationErrorCode, DisseminationException } from './dissemination.errors';
import { newestFirst, type Page, pageOf, type PageQuery } from '../common/pagination';
import type { AuthedContext } from '../access/request-context';
import { Dissemination, type Variant } from '../outbox/dissemination.entity';
import { InboxItem } from './inbox-item.entity';
import { DISSEMINATION_QUEUE } from '../common/queues';
import { RelayService } from '../outbox/relay.service';

export function disseminationView(d: Dissemination) {
  return {
    id: d.id,
    agencyCode: d.agencyCode,
    variant: d.variant,
    status: d.status,
    attempts: d.attempts,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    acknowledgedAt: d.acknowledgedAt?.toISOString() ?? null,
  };
}

/**
 * An ADMIN_NOTICE as one reader of the agency may see it: a compartment is a marking, so the notice
 * names only the compartments the reader holds (a colleague given HUMINT does not tell an uncleared
 * reader that HUMINT exists), and counts the others in `compartmentsNotShown`.
 */
function adminNoticeFor(content: Record<string, unknown>, reader: Principal): Record<string, unknown> {
  const request = content.request as Record<string, unknown> | undefined;
  if (!request || !Array.isArray(request.compartments)) return content;
  const all = request.compartments as string[];
  const shown = all.filter((c) => reader.compartments.includes(c));
  const { compartments: _all, ...rest } = request;
  return { ...content, request: { ...rest, compartments: shown, ...(shown.length < all.length ? { compartmentsNotShown: all.length - shown.length } : {}) } };
}

/**
 * An inbox item as one reader may see it: the agency received the variant its accreditation allows,
 * and a reader whose own clearance is lower sees the tearline (if cleared for that) or no content —
 * the ability's `readFull` / `readTearline` rules on the item (`ability`: the reader's). An item
 * withheld from the reader does not name its assessment (which would answer them 404), and a full copy
 * names the assessment it supersedes only when that is in `visible` (the assessments the reader may
 * read, in full or by tearline: {@link supersededVisible}).
 */
export function inboxView(item: InboxItem, reader: Principal, visible: ReadonlySet<string>, ability: AppAbility) {
  let variant: Variant = item.variant;
  let content: Record<string, unknown> | null = item.content;
  if (item.kind === 'ASSESSMENT') {
    const subject = asSubject('Inbox', item);
    if (ability.can('readFull', subject)) {
      // the full copy, as received
    } else if (ability.can('readTearline', subject)) {
      variant = 'TEARLINE';
      content = { assessmentId: item.assessmentId, tearline: (item.content as { tearline: unknown }).tearline };
    } else {
      // AUDITOR and ADMIN, or a reader cleared for neither: that an item arrived, never its content.
      variant = 'WITHHELD';
      content = null;
    }
  }
  if (item.kind === 'ADMIN_NOTICE' && content) content = adminNoticeFor(content, reader);
  if (variant === 'FULL' && content && typeof content.supersedes === 'string' && !visible.has(content.supersedes)) content = { ...content, supersedes: null };
  return {
    id: item.id,
    kind: item.kind,
    ...(item.assessmentId && variant !== 'WITHHELD' ? { assessmentId: item.assessmentId } : {}),
    variant,
    content,
    deliveredAt: item.deliveredAt.toISOString(),
    acknowledgedAt: item.acknowledgedAt?.toISOString() ?? null,
  };
}

/** Of the assessments the items' full copies supersede, those the reader may read (for {@link inboxView}). */
function supersededVisible(m: EntityManager, ctx: AuthedContext, items: InboxItem[]): Promise<Set<string>> {
  const ids = items.flatMap((i) => (i.variant === 'FULL' && typeof i.content?.supersedes === 'string' ? [i.content.supersedes] : []));
  return visibleAssessmentIds(m, ctx.ability, [...new Set(ids)]);
}

@Injectable()
export class DisseminationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(DISSEMINATION_QUEUE) private readonly queue: Queue,
    private readonly relay: RelayService,
    private readonly audit: AuditWriter,
  ) {}

  /** Dissemination status of one assessment, for the cell (who may read it) and auditors. */
  async forAssessment(ctx: AuthedContext, assessmentId: string) {
    const a = await this.ds.getRepository(Assessment).findOneBy({ id: assessmentId });
    const all = a ? await this.ds.getRepository(Dissemination).find({ where: { assessmentId }, order: { agencyCode: 'ASC' } }) : [];
    // An auditor by scope sees only the deliveries to their own agency, and an assessment sent elsewhere
    // as if it did not exist. They read their own events: "not found" and "not sent to you" must read
    // alike there, or the log would tell them which assessment ids exist outside their scope.
    await requireReadable(this.audit, ctx, 'Assessment', assessmentId, a, {
      action: 'dissemination.list',
      can: 'readDisseminations',
      joined: { recipientAgencyIds: all.map((d) => d.agencyId) },
      alike: onlySome(ctx.ability, 'read', 'Dissemination') ? 'not found or outside audit scope' : undefined,
    });
    const rows = all.filter((d) => ctx.ability.can('read', asSubject('Dissemination', d)));
    await this.audit.record(ctx, { action: 'dissemination.list', resourceType: 'Assessment', resourceId: assessmentId, resourceIds: rows.map((d) => d.id), outcome: 'ALLOWED' });
    return rows.map(disseminationView);
  }

  /**
   * FAILED → QUEUED, and back into the queue (now, or by the relay when Redis returns). Who may redrive
   * which is the ability's `redrive` rule on the row with its assessment (a SUPERVISOR only what they
   * may read; ADMIN any); otherwise 404, as the assessment's list answers.
   */
  async redrive(ctx: AuthedContext, id: string) {
    const d = await this.ds.transaction(async (m) => {
      const loaded = await m.findOne(Dissemination, { where: { id }, lock: { mode: 'pessimistic_write' } });
      const assessment = loaded?.assessmentId ? await m.findOneBy(Assessment, { id: loaded.assessmentId }) : null;
      const row = await requireReadable(this.audit, ctx, 'Dissemination', id, loaded, { action: 'dissemination.redrive', can: 'redrive', joined: { assessment } });
      if (row.status !== 'FAILED') {
        await this.audit.record(ctx, { action: 'dissemination.redrive', resourceType: 'Dissemination', resourceId: id, outcome: 'DENIED', reason: `status is ${row.status}` });
        throw new DisseminationException(DisseminationErrorCode.NOT_REDRIVABLE, `Only a FAILED dissemination can be redriven (this one is ${row.status})`);
      }
      row.status = 'QUEUED';
      row.queuedAt = new Date();
      row.failedAt = null;
      await m.save(row);
      await this.audit.record(
        ctx,
        { action: 'dissemination.redrive', resourceType: 'Dissemination', resourceId: id, resourceIds: [row.assessmentId ?? row.threatLevelChangeId ?? '', row.agencyId].filter(Boolean), outcome: 'ALLOWED' },
        m,
      );
      return row;
    });
    try {
      await this.queue.remove(id); // the exhausted job, so the relay can add a fresh one
    } catch {
      /* Redis down: the relay replaces the failed job when it returns */
    }
    // A redriven row is QUEUED without a job: the relay's repair pass is what queues it again.
    this.relay.kick({ repair: true });
    return disseminationView(d);
  }

  async inbox(ctx: AuthedContext, q: PageQuery): Promise<Page<ReturnType<typeof inboxView>>> {
    const qb = this.ds.getRepository(InboxItem).createQueryBuilder('i').where('i.agency_id = :agencyId', { agencyId: ctx.principal.agencyId });
    const rows = await newestFirst(qb, 'delivered_at', q).getMany();
    const { page, nextCursor } = pageOf(rows, q.limit, (i) => i.deliveredAt);
    const visible = await supersededVisible(this.ds.manager, ctx, page);
    const items = page.map((i) => inboxView(i, ctx.principal, visible, ctx.ability));
    await this.audit.record(ctx, {
      action: 'inbox.list',
      resourceType: 'Inbox',
      resourceIds: [...items.map((i) => i.id), ...new Set(items.flatMap((i) => (i.assessmentId ? [i.assessmentId] : [])))],
      outcome: 'ALLOWED',
      details: { variants: Object.fromEntries(items.map((i) => [i.id, i.variant])) },
    });
    return { items, nextCursor };
  }

  /**
   * An officer of the recipient agency acknowledges receipt. Acknowledging twice changes nothing, but
   * the answer carries the item again (as much of it as the reader may read): a repeat is audited as a
   * read of the item (`inbox.read`, naming the assessment only when the reader was shown it).
   */
  async acknowledge(ctx: AuthedContext, id: string) {
    return this.ds.transaction(async (m) => {
      const loaded = await m.findOne(InboxItem, { where: { id }, lock: { mode: 'pessimistic_write' } });
      const check = { action: 'dissemination.acknowledge', can: 'acknowledge' as const, resourceType: 'Dissemination', notFoundAs: 'Inbox item', refused: 'another agency’s inbox' };
      const item = await requireReadable(this.audit, ctx, 'Inbox', id, loaded, check);
      const view = () => supersededVisible(m, ctx, [item]).then((visible) => inboxView(item, ctx.principal, visible, ctx.ability));
      if (item.acknowledgedAt) {
        const shown = await view();
        await this.audit.record(
          ctx,
          {
            action: 'inbox.read',
            resourceType: 'Inbox',
            resourceId: id,
            resourceIds: [id, ...(shown.assessmentId ? [shown.assessmentId] : [])],
            outcome: 'ALLOWED',
            reason: 'repeated acknowledgement',
            details: { variant: shown.variant, acknowledgedAt: item.acknowledgedAt.toISOString() },
          },
          m,
        );
        return shown;
      }
      item.acknowledgedAt = new Date();
      item.acknowledgedBy = ctx.principal.id;
      await m.save(item);
      await m.update(
        Dissemination,
        { id, status: In(['DELIVERED', 'QUEUED', 'PENDING', 'FAILED']) },
        { status: 'ACKNOWLEDGED', acknowledgedAt: item.acknowledgedAt, acknowledgedBy: ctx.principal.id },
      );
      const shown = await view();
      await this.audit.record(
        ctx,
        {
          action: 'dissemination.acknowledge',
          resourceType: 'Dissemination',
          resourceId: id,
          resourceIds: [item.assessmentId ?? '', item.agencyId].filter(Boolean),
          outcome: 'ALLOWED',
          details: { variant: shown.variant },
        },
        m,
      );
      return shown;
    });
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AgenciesService } from '../agencies/agencies.service';
import { AuditWriter } from '../audit/audit-writer';
import { DomainException } from '../common/domain.exception';
import { AdminChangesErrorCode, AdminChangesException } from './admin-changes.errors';
import { notFound } from '../common/common.errors';
import { newestFirst, type Page, pageOf } from '../common/pagination';
import type { AuthedContext } from '../access/request-context';
import { Clock } from '../config/clock';
import { OutboxService } from '../outbox/outbox.service';
import { RelayService } from '../outbox/relay.service';
import type { CreateUserDto } from '../users/dto/create-user.dto';
import { User } from '../users/user.entity';
import { type UserGrantSnapshot, UsersService, userView } from '../users/users.service';
import { AdminChange, type AdminChangeStatus } from '../four-eyes/admin-change.entity';
import type { ListAdminChangesQuery } from './dto/list-admin-changes.query';
import { type Approval, isActiveAdmin } from '../four-eyes/four-eyes';

/** A change whose time has passed without a decision is EXPIRED, whether or not that was written yet. */
export function effectiveStatus(c: AdminChange, now: Date): AdminChangeStatus {
  return c.status === 'PENDING_APPROVAL' && c.expiresAt <= now ? 'EXPIRED' : c.status;
}

export function changeView(c: AdminChange, now: Date) {
  return {
    id: c.id,
    kind: c.kind,
    status: effectiveStatus(c, now),
    targetId: c.targetId,
    agencyId: c.agencyId,
    request: c.request,
    requestedBy: c.requestedBy,
    requestedAt: c.requestedAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    decidedBy: c.decidedBy,
    decidedAt: c.decidedAt?.toISOString() ?? null,
  };
}

/** The request as the agency is told it: without `before` (the user's grant when asked: for the approver, not the agency's readers). */
function noticeRequest(request: Record<string, unknown>): Record<string, unknown> {
  const { before: _before, ...rest } = request;
  return rest;
}

/** What an agency is told of an approved change (its ADMIN_NOTICE): what changed and by whose decision, no password or secret. */
const SUMMARIES = {
  USER_CREATE: 'A user account of your agency was created',
  USER_UPDATE: 'A user account of your agency was changed',
  AGENCY_WEBHOOK: 'Your agency’s webhook endpoint was set',
} as const;

/**
 * The second pair of eyes (SPEC S1): ADMINs list the changes waiting, and another ADMIN than the one
 * who asked approves (the change is then applied, checked against the state at that moment, audited
 * with both ADMINs, and its agency sent an ADMIN_NOTICE) or rejects it.
 */
@Injectable()
export class AdminChangesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersService,
    private readonly agencies: AgenciesService,
    private readonly outbox: OutboxService,
    private readonly relay: RelayService,
    private readonly audit: AuditWriter,
    private readonly clock: Clock,
  ) {}

  async list(q: ListAdminChangesQuery): Promise<Page<ReturnType<typeof changeView>>> {
    const now = this.clock.now();
    const qb = this.ds.getRepository(AdminChange).createQueryBuilder('c');
    if (q.status === 'PENDING_APPROVAL') qb.where(`c.status = 'PENDING_APPROVAL' AND c.expires_at > :now`, { now });
    else if (q.status === 'EXPIRED') qb.where(`(c.status = 'EXPIRED' OR (c.status = 'PENDING_APPROVAL' AND c.expires_at <= :now))`, { now });
    else if (q.status) qb.where('c.status = :status', { status: q.status });
    const rows = await newestFirst(qb, 'requestedAt', q).getMany();
    const { page, nextCursor } = pageOf(rows, q.limit, (c) => c.requestedAt);
    return { items: page.map((c) => changeView(c, now)), nextCursor };
  }

  async approve(ctx: AuthedContext, id: string) {
    const out = await this.decide(ctx, id, 'approve', async (m, change) => {
      const approval: Approval = { changeId: change.id, requestedBy: change.requestedBy, approvedBy: ctx.principal.id };
      const result = await this.apply(ctx, m, change, approval);
      const requester = await m.findOneBy(User, { id: change.requestedBy });
      await this.outbox.forAdminNotice(ctx, m, change.agencyId, {
        changeId: change.id,
        change: change.kind,
        summary: SUMMARIES[change.kind],
        request: noticeRequest(change.request),
        ...(change.kind === 'USER_CREATE' && 'id' in result ? { userId: result.id } : {}),
        requestedBy: requester?.username ?? change.requestedBy,
        approvedBy: ctx.principal.username,
        appliedAt: change.decidedAt?.toISOString(),
      });
      return result;
    });
    this.relay.kick();
    return out;
  }

  async reject(ctx: AuthedContext, id: string) {
    return this.decide(ctx, id, 'reject', () => Promise.resolve(undefined));
  }

  /**
   * Takes the change (locked), refuses what may not be decided, runs `act` and records the decision,
   * all in one transaction: a change that cannot be applied any more (409/422) stays pending. An
   * expired change is marked so (committed) and answered 409.
   */
  private async decide<R>(ctx: AuthedContext, id: string, verb: 'approve' | 'reject', act: (m: EntityManager, change: AdminChange) => Promise<R>) {
    const now = this.clock.now();
    const refused = (reason: string, m?: EntityManager) =>
      this.audit.record(ctx, { action: `admin_change.${verb}`, resourceType: 'AdminChange', resourceId: id, outcome: 'DENIED', reason }, m);
    const outcome = await this.ds.transaction(async (m) => {
      const change = await m
        .getRepository(AdminChange)
        .createQueryBuilder('c')
        .addSelect(['c.passwordHash', 'c.webhookSecret'])
        .where('c.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      if (!change) throw notFound('Change');
      if (change.status !== 'PENDING_APPROVAL') throw new AdminChangesException(AdminChangesErrorCode.CHANGE_DECIDED, `The change is already ${change.status}`);
      if (effectiveStatus(change, now) === 'EXPIRED') {
        await m.update(AdminChange, { id }, { status: 'EXPIRED', decidedAt: now });
        await refused('CHANGE_EXPIRED', m);
        return { expired: true as const };
      }
      // The requester may withdraw their own request, never approve it.
      if (verb === 'approve' && change.requestedBy === ctx.principal.id) {
        throw new AdminChangesException(AdminChangesErrorCode.SAME_ADMIN, 'A change must be approved by another ADMIN than the one who asked for it');
      }
      // A request stands only while its requester is still an ADMIN (active, of an active agency): one
      // deactivated or demoted since, for cause perhaps, leaves behind nothing another ADMIN may apply.
      if (verb === 'approve' && !(await isActiveAdmin(m, change.requestedBy))) {
        throw new AdminChangesException(AdminChangesErrorCode.REQUESTER_GONE, 'The ADMIN who asked for this change is no longer an active ADMIN; reject it, or ask for it again');
      }
      Object.assign(change, { status: verb === 'approve' ? 'APPLIED' : 'REJECTED', decidedBy: ctx.principal.id, decidedAt: now });
      const result = await act(m, change);
      await m.update(AdminChange, { id }, { status: change.status, decidedBy: change.decidedBy, decidedAt: now, targetId: change.targetId });
      await this.audit.record(
        ctx,
        {
          action: `admin_change.${verb}`,
          resourceType: 'AdminChange',
          resourceId: change.id,
          resourceIds: [change.targetId ?? '', change.agencyId].filter(Boolean),
          outcome: 'ALLOWED',
          details: { kind: change.kind, requestedBy: change.requestedBy, [verb === 'approve' ? 'approvedBy' : 'rejectedBy']: ctx.principal.id },
        },
        m,
      );
      return { change, result };
    }).catch(async (err: unknown) => {
      // A refused decision is a denial, and every denial is audited (after the rollback, on its own).
      if (err instanceof DomainException) await refused(err.code);
      throw err;
    });
    if ('expired' in outcome) throw new AdminChangesException(AdminChangesErrorCode.CHANGE_EXPIRED, 'The change expired without a decision; ask for it again');
    return { ...changeView(outcome.change, now), ...(outcome.result !== undefined ? { result: outcome.result } : {}) };
  }

  /** Applies an approved change through the service that owns it, which checks it again against the state now. */
  private async apply(ctx: AuthedContext, m: EntityManager, change: AdminChange, approval: Approval) {
    switch (change.kind) {
      case 'USER_CREATE': {
        if (!change.passwordHash) throw new AdminChangesException(AdminChangesErrorCode.CHANGE_WITHOUT_PASSWORD, 'the change holds no password');
        const user = await this.users.applyCreate(ctx, m, change.request as unknown as Omit<CreateUserDto, 'password'>, change.passwordHash, approval);
        change.targetId = user.id;
        return userView(user);
      }
      case 'USER_UPDATE': {
        const { userId: _u, username: _n, passwordReset: _p, before, ...fields } = change.request;
        const user = await this.users.applyUpdate(
          ctx,
          m,
          change.targetId as string,
          fields,
          change.passwordHash ?? undefined,
          change.requestedBy,
          approval,
          before as UserGrantSnapshot | undefined,
        );
        return userView(user);
      }
      case 'AGENCY_WEBHOOK': {
        const { url } = change.request as { url: string };
        return this.agencies.applyWebhook(ctx, m, change.agencyId, url, change.webhookSecret, approval);
      }
    }
  }
}

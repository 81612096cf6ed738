import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type Classification, classificationRank } from '../access/markings';
import type { Role } from '../access/roles';
import { AuditWriter } from '../audit/audit-writer';
import type { AuthedContext } from '../access/request-context';
import { AppConfig } from '../config/app-config';
import { AdminChange, type AdminChangeKind } from './admin-change.entity';

/** What a request that waits for a second ADMIN answers (HTTP 202). */
export interface PendingAnswer {
  changeId: string;
  status: 'PENDING_APPROVAL';
}

/** Who asked for a change and who approved it, when it is applied after approval. */
export interface Approval {
  changeId: string;
  requestedBy: string;
  approvedBy: string;
}

/** A user as it stands, and what an ADMIN asks to change of it. */
export interface UserGrant {
  id: string;
  roles: Role[];
  clearance: Classification;
  compartments: string[];
  active: boolean;
}
export interface UserChange {
  roles?: Role[];
  clearance?: Classification;
  compartments?: string[];
  active?: boolean;
  password?: string;
}

/**
 * Whether changing `user` as asked by `requesterId` is a sensitive change (SPEC S1 "Four eyes on
 * administration"): it gives a role the user does not hold (every role is a content role, ADMIN or
 * AUDITOR), a higher clearance or a compartment more; it resets another user's password; it
 * reactivates an account (which gives its roles back); or it removes another ADMIN (deactivates them or
 * drops their ADMIN role: otherwise one ADMIN could make themselves the only one, and so exempt).
 * Lowering a clearance, removing compartments or roles of a non-ADMIN and deactivating a non-ADMIN
 * stay immediate. (One's own password is not sensitive here, but PATCH refuses it before this is asked:
 * it changes only through POST /auth/password, with the current one.)
 */
export function isSensitiveUpdate(user: UserGrant, change: UserChange, requesterId: string): boolean {
  if (change.roles?.some((r) => !user.roles.includes(r))) return true;
  if (change.clearance && classificationRank(change.clearance) > classificationRank(user.clearance)) return true;
  if (change.compartments?.some((c) => !user.compartments.includes(c))) return true;
  if (change.password !== undefined && user.id !== requesterId) return true;
  if (change.active === true && !user.active) return true;
  const removesAdmin = change.active === false || (change.roles !== undefined && !change.roles.includes('ADMIN'));
  return user.roles.includes('ADMIN') && user.active && user.id !== requesterId && removesAdmin;
}

/** An active ADMIN: an active account of an active agency holding the role (`u` the user, `a` its agency). */
const ACTIVE_ADMIN = `u.active AND a.active AND 'ADMIN' = ANY (u.roles)`;

/** Whether `userId` is still an active ADMIN (a change stands only while its requester is one). */
export async function isActiveAdmin(m: EntityManager, userId: string): Promise<boolean> {
  const [row] = await m.query<{ ok: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM app_user u JOIN agency a ON a.id = u.agency_id WHERE u.id = $1::uuid AND ${ACTIVE_ADMIN}) AS ok`,
    [userId],
  );
  return row.ok;
}

/**
 * The four-eyes rule's two questions — is there a second ADMIN to approve, and how a request is put
 * aside for them — shared by the services that make sensitive changes (users, agencies' webhooks).
 */
@Injectable()
export class FourEyes {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
  ) {}

  /**
   * True when another active ADMIN (active account of an active agency) exists besides the requester:
   * then a sensitive change must wait for them. A lone ADMIN (the first of a fresh install) acts directly.
   */
  async approverExists(requesterId: string, m: EntityManager = this.ds.manager): Promise<boolean> {
    const [row] = await m.query<{ other: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM app_user u JOIN agency a ON a.id = u.agency_id
                       WHERE ${ACTIVE_ADMIN} AND u.id <> $1::uuid) AS other`,
      [requesterId],
    );
    return row.other;
  }

  /**
   * Puts a sensitive change aside for a second ADMIN and audits the request. `request` is shown to the
   * ADMINs as it is: it never holds a password or secret (those go in `passwordHash` / `webhookSecret`).
   */
  async request(
    ctx: AuthedContext,
    input: { kind: AdminChangeKind; targetId: string | null; agencyId: string; request: Record<string, unknown>; passwordHash?: string; webhookSecret?: string },
  ): Promise<PendingAnswer> {
    return this.ds.transaction(async (m) => {
      const requestedAt = new Date();
      const change = await m.save(
        m.create(AdminChange, {
          kind: input.kind,
          targetId: input.targetId,
          agencyId: input.agencyId,
          request: input.request,
          passwordHash: input.passwordHash ?? null,
          webhookSecret: input.webhookSecret ?? null,
          status: 'PENDING_APPROVAL',
          requestedBy: ctx.principal.id,
          requestedAt,
          expiresAt: new Date(requestedAt.getTime() + this.config.ADMIN_CHANGE_TTL_HOURS * 3_600_000),
          decidedBy: null,
          decidedAt: null,
        }),
      );
      await this.audit.record(
        ctx,
        {
          action: 'admin_change.request',
          resourceType: 'AdminChange',
          resourceId: change.id,
          resourceIds: [input.targetId ?? '', input.agencyId].filter(Boolean),
          outcome: 'ALLOWED',
          details: { kind: input.kind, request: input.request },
        },
        m,
      );
      return { changeId: change.id, status: 'PENDING_APPROVAL' as const };
    });
  }
}

/**
 * The answer of an endpoint whose change may wait for a second ADMIN: 202 `{changeId, status}` when it
 * waits, otherwise `view` of what was done (with the route's own status).
 */
export function pendingOr<T>(reply: FastifyReply, out: T | PendingAnswer, view: (done: T) => unknown): unknown {
  if (isPending(out)) {
    void reply.status(202);
    return out;
  }
  return view(out);
}

function isPending(out: unknown): out is PendingAnswer {
  return typeof out === 'object' && out !== null && 'changeId' in out && (out as PendingAnswer).status === 'PENDING_APPROVAL';
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type Classification, dominates } from '../access/markings';
import { CELL_ROLES, CONTENT_ROLES, OVERSIGHT_ROLES, type Role } from '../access/roles';
import { Agency } from '../agencies/agency.entity';
import { AuditWriter } from '../audit/audit-writer';
import { isUniqueViolation } from '../common/db-errors';
import { AgenciesErrorCode, AgenciesException } from '../agencies/agencies.errors';
import { CommonErrorCode, CommonException, notFound } from '../common/common.errors';
import { UsersErrorCode, UsersException } from './users.errors';
import type { AuthedContext, RequestContext } from '../access/request-context';
import { type Approval, FourEyes, isSensitiveUpdate, type PendingAnswer } from '../four-eyes/four-eyes';
import { PasswordService } from './password.service';
import type { CreateUserDto, UpdateUserDto } from './dto/create-user.dto';
import { User } from './user.entity';

export function userView(u: User) {
  return {
    id: u.id,
    username: u.username,
    agencyId: u.agencyId,
    roles: u.roles,
    clearance: u.clearance,
    compartments: u.compartments,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly passwords: PasswordService,
    private readonly audit: AuditWriter,
    private readonly fourEyes: FourEyes,
  ) {}

  /**
   * Creates a user. Every user holds a content role, ADMIN or AUDITOR, so creating one is a sensitive
   * change (SPEC S1): when another active ADMIN exists it waits for their approval (the answer is then
   * a {@link PendingAnswer}); a lone ADMIN creates directly.
   */
  async create(ctx: AuthedContext, dto: CreateUserDto): Promise<User | PendingAnswer> {
    const agency = await this.ds.getRepository(Agency).findOneBy({ id: dto.agencyId });
    if (!agency) throw new AgenciesException(AgenciesErrorCode.UNKNOWN_AGENCY, 'agencyId does not name an existing agency', { fields: ['agencyId'] });
    checkGrant(agency, dto.roles, dto.clearance);
    if (await this.ds.getRepository(User).existsBy({ username: dto.username })) throw new UsersException(UsersErrorCode.USERNAME_TAKEN, `Username ${dto.username} already exists`);
    const passwordHash = await this.passwords.hash(dto.password);
    const { password: _password, ...request } = dto;
    if (await this.fourEyes.approverExists(ctx.principal.id)) {
      return this.fourEyes.request(ctx, { kind: 'USER_CREATE', targetId: null, agencyId: agency.id, request, passwordHash });
    }
    return this.ds.transaction((m) => this.applyCreate(ctx, m, request, passwordHash));
  }

  /** Writes a new user, checking the rules again against the state now (at approval: 409/422 rather than applied blindly). */
  async applyCreate(ctx: RequestContext, m: EntityManager, dto: Omit<CreateUserDto, 'password'>, passwordHash: string, approval?: Approval): Promise<User> {
    const agency = await m.findOneBy(Agency, { id: dto.agencyId });
    if (!agency) throw new UsersException(UsersErrorCode.AGENCY_GONE, 'the agency of this user no longer exists', { fields: ['agencyId'] });
    checkGrant(agency, dto.roles, dto.clearance);
    if (await m.existsBy(User, { username: dto.username })) throw new UsersException(UsersErrorCode.USERNAME_TAKEN, `Username ${dto.username} already exists`);
    try {
      const user = await m.save(
        m.create(User, {
          username: dto.username,
          passwordHash,
          agencyId: agency.id,
          roles: dto.roles,
          clearance: dto.clearance,
          compartments: dto.compartments,
          active: true,
        }),
      );
      await this.audit.record(
        ctx,
        {
          action: 'user.create',
          resourceType: 'User',
          resourceId: user.id,
          outcome: 'ALLOWED',
          details: { username: user.username, agencyId: agency.id, roles: user.roles, clearance: user.clearance, ...approval },
        },
        m,
      );
      return user;
    } catch (err) {
      if (isUniqueViolation(err)) throw new UsersException(UsersErrorCode.USERNAME_TAKEN, `Username ${dto.username} already exists`);
      throw err;
    }
  }

  /**
   * An ADMIN changes a user's roles, clearance, compartments or password, or (de)activates them, under
   * the rules of creation. A sensitive change ({@link isSensitiveUpdate}) waits for a second ADMIN when
   * one exists; the rest apply at once, to the user's next request (the principal is read on every
   * request). A password an ADMIN sets for someone else is temporary; any password change or deactivation
   * revokes the user's older tokens. An ADMIN may not deactivate themselves or drop their own ADMIN role
   * (nobody would be left to undo it), nor set their own password here (POST /auth/password, with the
   * current one).
   */
  async update(ctx: AuthedContext, id: string, dto: UpdateUserDto): Promise<User | PendingAnswer> {
    const given = (Object.keys(dto) as (keyof UpdateUserDto)[]).filter((k) => dto[k] !== undefined);
    if (given.length === 0) throw new UsersException(UsersErrorCode.NOTHING_TO_CHANGE, 'give at least one of password, roles, clearance, compartments, active', { fields: ['body'] });
    const nulls = given.filter((k) => dto[k] === null); // nothing of a user may be emptied
    if (nulls.length) throw new CommonException(CommonErrorCode.VALIDATION, nulls.map((k) => `${k} must not be null`).join('; '), { fields: nulls });
    const user = await this.ds.getRepository(User).findOneBy({ id });
    if (!user) throw notFound('User');
    const agency = await this.ds.getRepository(Agency).findOneByOrFail({ id: user.agencyId });
    checkGrant(agency, dto.roles ?? user.roles, dto.clearance ?? user.clearance);
    checkSelf(user.id, ctx.principal.id, dto);
    const passwordHash = dto.password !== undefined ? await this.passwords.hash(dto.password) : undefined;
    const { password: _password, ...fields } = dto;
    if (isSensitiveUpdate(user, dto, ctx.principal.id) && (await this.fourEyes.approverExists(ctx.principal.id))) {
      // `before`: the user as the approver is asked to judge them; the change is applied only to that user (TARGET_CHANGED otherwise).
      const before = grantOf(user);
      const request = { userId: user.id, username: user.username, ...fields, ...(passwordHash ? { passwordReset: true } : {}), before };
      return this.fourEyes.request(ctx, { kind: 'USER_UPDATE', targetId: user.id, agencyId: user.agencyId, request, passwordHash });
    }
    return this.ds.transaction((m) => this.applyUpdate(ctx, m, id, fields, passwordHash, ctx.principal.id));
  }

  /** Applies a change to a user, checking the rules again against the user as they are now. */
  async applyUpdate(
    ctx: RequestContext,
    m: EntityManager,
    id: string,
    dto: Omit<UpdateUserDto, 'password'>,
    passwordHash: string | undefined,
    requesterId: string,
    approval?: Approval,
    before?: UserGrantSnapshot,
  ): Promise<User> {
    const user = await m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw notFound('User');
    if (before && !sameGrant(grantOf(user), before)) {
      throw new UsersException(UsersErrorCode.TARGET_CHANGED, 'The user has changed since this change was asked for; ask for it again');
    }
    // Decided on the user as read before the lock: were they changed meanwhile (a concurrent deactivation,
    // say), a change that looked harmless may now be sensitive, and must not be applied without approval.
    const asked = { ...dto, ...(passwordHash ? { password: '' } : {}) };
    if (!approval && isSensitiveUpdate(user, asked, requesterId) && (await this.fourEyes.approverExists(requesterId, m))) {
      throw new UsersException(UsersErrorCode.USER_CHANGED, 'The user changed while this request was made; send it again');
    }
    const agency = await m.findOneByOrFail(Agency, { id: user.agencyId });
    const roles = dto.roles ?? user.roles;
    const clearance = dto.clearance ?? user.clearance;
    checkGrant(agency, roles, clearance);
    checkSelf(user.id, requesterId, dto);
    // Deactivation ends the user's tokens for good: a later reactivation does not bring them back.
    const deactivated = user.active && dto.active === false;
    Object.assign(user, {
      roles,
      clearance,
      compartments: dto.compartments ?? user.compartments,
      active: dto.active ?? user.active,
      // A password set by an ADMIN for someone else is temporary; every password change revokes older tokens.
      ...(passwordHash ? { passwordHash, passwordChangeRequired: true } : {}), // never one's own (checkSelf)
      ...(passwordHash || deactivated ? { tokenVersion: user.tokenVersion + 1 } : {}),
    });
    await m.save(user);
    await this.audit.record(
      ctx,
      {
        action: 'user.update',
        resourceType: 'User',
        resourceId: user.id,
        outcome: 'ALLOWED',
        details: { ...dto, ...(passwordHash ? { passwordReset: true, temporary: user.passwordChangeRequired } : {}), ...approval },
      },
      m,
    );
    return user;
  }
}

/** A user's grant as an approver judges it (a USER_UPDATE's `before`). */
export interface UserGrantSnapshot {
  roles: Role[];
  clearance: Classification;
  compartments: string[];
  active: boolean;
}

function grantOf(u: User): UserGrantSnapshot {
  return { roles: u.roles, clearance: u.clearance, compartments: u.compartments, active: u.active };
}

function sameGrant(a: UserGrantSnapshot, b: UserGrantSnapshot): boolean {
  const set = (xs: string[]) => JSON.stringify([...xs].sort());
  return set(a.roles) === set(b.roles) && a.clearance === b.clearance && set(a.compartments) === set(b.compartments) && a.active === b.active;
}

/** An ADMIN may not deactivate themselves or drop their own ADMIN role (422). */
function checkSelf(userId: string, requesterId: string, dto: Pick<UpdateUserDto, 'active' | 'roles' | 'password'>): void {
  if (userId === requesterId && (dto.active === false || (dto.roles !== undefined && !dto.roles.includes('ADMIN')))) {
    throw new UsersException(UsersErrorCode.OWN_ADMIN_ROLE, 'an ADMIN may not deactivate themselves or drop their own ADMIN role');
  }
  // One's own password changes only with the current one (a stolen token must not lock its owner out).
  if (userId === requesterId && dto.password !== undefined) {
    throw new UsersException(UsersErrorCode.OWN_PASSWORD, 'change your own password with POST /api/v1/auth/password, giving the current one', { fields: ['password'] });
  }
}

/** The rules a user's grant must keep, at creation and on every change (422 otherwise). */
function checkGrant(agency: Agency, roles: Role[], clearance: Classification): void {
  if (!dominates(agency.accreditation, clearance)) {
    throw new UsersException(UsersErrorCode.CLEARANCE_ABOVE_ACCREDITATION, `clearance ${clearance} is above the agency's accreditation ${agency.accreditation}`);
  }
  if (agency.kind !== 'FUSION_CELL' && roles.some((r) => CELL_ROLES.includes(r))) {
    throw new UsersException(UsersErrorCode.ROLE_OUTSIDE_CELL, 'roles ANALYST and SUPERVISOR are only for members of the fusion cell');
  }
  if (roles.some((r) => OVERSIGHT_ROLES.includes(r)) && roles.some((r) => CONTENT_ROLES.includes(r))) {
    throw new UsersException(UsersErrorCode.SEPARATION_OF_DUTIES, 'roles AUDITOR and ADMIN cannot be combined with a content role (separation of duties)');
  }
}

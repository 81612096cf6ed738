import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type Classification, dominates } from '../access/markings';
import { CELL_ROLES, CONTENT_ROLES, OVERSIGHT_ROLES, type Role } from '../access/roles';
import { Agency } from '../agencies/agency.entity';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import { isUniqueViolation } from '../common/db-errors';
import { badRequest, conflict, notFound, unprocessable } from '../common/domain.exception';
import type { AuthedContext, RequestContext } from '../common/request-context';
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
    private readonly audit: AuditService,
  ) {}

  async create(ctx: RequestContext, dto: CreateUserDto): Promise<User> {
    const agency = await this.ds.getRepository(Agency).findOneBy({ id: dto.agencyId });
    if (!agency) throw badRequest('agencyId does not name an existing agency', { fields: ['agencyId'] });
    checkGrant(agency, dto.roles, dto.clearance);
    const passwordHash = await this.passwords.hash(dto.password);
    try {
      return await this.ds.transaction(async (m) => {
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
            details: { username: user.username, agencyId: agency.id, roles: user.roles, clearance: user.clearance },
          },
          m,
        );
        return user;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Username ${dto.username} already exists`);
      throw err;
    }
  }

  /**
   * An ADMIN changes a user's roles, clearance, compartments or password, or (de)activates them, under
   * the rules of creation. The change applies to the user's next request (the principal is read on every
   * request); a token is not revoked otherwise. An ADMIN may not deactivate themselves or drop their
   * own ADMIN role (nobody would be left to undo it).
   */
  async update(ctx: AuthedContext, id: string, dto: UpdateUserDto): Promise<User> {
    const given = (Object.keys(dto) as (keyof UpdateUserDto)[]).filter((k) => dto[k] !== undefined);
    if (given.length === 0) throw badRequest('give at least one of password, roles, clearance, compartments, active', { fields: ['body'] });
    const nulls = given.filter((k) => dto[k] === null); // nothing of a user may be emptied
    if (nulls.length) throw badRequest(nulls.map((k) => `${k} must not be null`).join('; '), { fields: nulls });
    const passwordHash = dto.password !== undefined ? await this.passwords.hash(dto.password) : undefined;
    return this.ds.transaction(async (m) => {
      const user = await m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound('User');
      const agency = await m.findOneByOrFail(Agency, { id: user.agencyId });
      const roles = dto.roles ?? user.roles;
      const clearance = dto.clearance ?? user.clearance;
      checkGrant(agency, roles, clearance);
      if (user.id === ctx.principal.id && (dto.active === false || !roles.includes('ADMIN'))) {
        throw unprocessable('an ADMIN may not deactivate themselves or drop their own ADMIN role');
      }
      Object.assign(user, {
        roles,
        clearance,
        compartments: dto.compartments ?? user.compartments,
        active: dto.active ?? user.active,
        ...(passwordHash ? { passwordHash } : {}),
      });
      await m.save(user);
      const { password: _password, ...changed } = dto;
      await this.audit.record(
        ctx,
        { action: 'user.update', resourceType: 'User', resourceId: user.id, outcome: 'ALLOWED', details: { ...changed, ...(passwordHash ? { passwordReset: true } : {}) } },
        m,
      );
      return user;
    });
  }
}

/** The rules a user's grant must keep, at creation and on every change (422 otherwise). */
function checkGrant(agency: Agency, roles: Role[], clearance: Classification): void {
  if (!dominates(agency.accreditation, clearance)) {
    throw unprocessable(`clearance ${clearance} is above the agency's accreditation ${agency.accreditation}`);
  }
  if (agency.kind !== 'FUSION_CELL' && roles.some((r) => CELL_ROLES.includes(r))) {
    throw unprocessable('roles ANALYST and SUPERVISOR are only for members of the fusion cell');
  }
  if (roles.some((r) => OVERSIGHT_ROLES.includes(r)) && roles.some((r) => CONTENT_ROLES.includes(r))) {
    throw unprocessable('roles AUDITOR and ADMIN cannot be combined with a content role (separation of duties)');
  }
}

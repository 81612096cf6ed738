import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { dominates } from '../access/markings';
import { CELL_ROLES, CONTENT_ROLES, OVERSIGHT_ROLES } from '../access/roles';
import { Agency } from '../agencies/agency.entity';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import { isUniqueViolation } from '../common/db-errors';
import { badRequest, conflict, unprocessable } from '../common/domain.exception';
import type { RequestContext } from '../common/request-context';
import type { CreateUserDto } from './dto/create-user.dto';
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
    if (!dominates(agency.accreditation, dto.clearance)) {
      throw unprocessable(`clearance ${dto.clearance} is above the agency's accreditation ${agency.accreditation}`);
    }
    if (agency.kind !== 'FUSION_CELL' && dto.roles.some((r) => CELL_ROLES.includes(r))) {
      throw unprocessable('roles ANALYST and SUPERVISOR are only for members of the fusion cell');
    }
    if (dto.roles.some((r) => OVERSIGHT_ROLES.includes(r)) && dto.roles.some((r) => CONTENT_ROLES.includes(r))) {
      throw unprocessable('roles AUDITOR and ADMIN cannot be combined with a content role (separation of duties)');
    }
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
}

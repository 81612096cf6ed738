import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Principal } from '../access/principal';
import { User } from '../users/user.entity';

@Injectable()
export class PrincipalService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Loads the caller fresh from the database: a deactivated user or agency loses access at once. */
  async load(userId: string): Promise<Principal | null> {
    // One query (findOne with relations would make two).
    const user = await this.users
      .createQueryBuilder('u')
      .innerJoinAndSelect('u.agency', 'a')
      .where('u.id = :userId AND u.active', { userId })
      .getOne();
    if (!user?.agency?.active) return null;
    return toPrincipal(user);
  }
}

export function toPrincipal(user: User): Principal {
  if (!user.agency) throw new Error('toPrincipal needs the agency relation');
  return {
    id: user.id,
    username: user.username,
    agencyId: user.agencyId,
    agencyCode: user.agency.code,
    inFusionCell: user.agency.kind === 'FUSION_CELL',
    roles: user.roles,
    clearance: user.clearance,
    compartments: user.compartments,
  };
}

/** The `user` object of the contract (login and /auth/me). */
export function publicUser(p: Principal) {
  return {
    id: p.id,
    username: p.username,
    agencyId: p.agencyId,
    roles: p.roles,
    clearance: p.clearance,
    compartments: p.compartments,
  };
}

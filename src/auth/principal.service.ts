import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Principal } from '../access/principal';
import { UUID } from '../common/pagination';
import { preparedQuery } from '../database/prepared';
import { User } from '../users/user.entity';

@Injectable()
export class PrincipalService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * Loads the caller fresh from the database on every request: a deactivated user or agency loses
   * access at once. One prepared query, mapped by hand (it runs for every authenticated request).
   */
  async load(userId: string): Promise<Principal | null> {
    if (typeof userId !== 'string' || !UUID.test(userId)) return null; // a token's subject that is not a user id: no principal (401), never a cast error
    const [row] = await preparedQuery<PrincipalRow>(
      this.users.manager.connection,
      `SELECT u.id, u.username, u.agency_id, u.roles, u.clearance, u.compartments, a.code AS agency_code, a.kind AS agency_kind
         FROM app_user u JOIN agency a ON a.id = u.agency_id
        WHERE u.id = $1::uuid AND u.active AND a.active`,
      [userId],
    );
    if (!row) return null;
    return {
      id: row.id,
      username: row.username,
      agencyId: row.agency_id,
      agencyCode: row.agency_code,
      inFusionCell: row.agency_kind === 'FUSION_CELL',
      roles: row.roles,
      clearance: row.clearance,
      compartments: row.compartments,
    };
  }

  /** Why a user who exists may not act (for the audit of a refused token); null for no such user. */
  async inactive(userId: string): Promise<{ id: string; agencyId: string; reason: 'account inactive' | 'agency inactive' } | null> {
    if (!UUID.test(userId)) return null;
    const [row] = await this.users.manager.query<{ id: string; agency_id: string; active: boolean; agency_active: boolean }[]>(
      `SELECT u.id, u.agency_id, u.active, a.active AS agency_active FROM app_user u JOIN agency a ON a.id = u.agency_id WHERE u.id = $1::uuid`,
      [userId],
    );
    if (!row || (row.active && row.agency_active)) return null; // no such user, or reactivated meanwhile
    return { id: row.id, agencyId: row.agency_id, reason: row.active ? 'agency inactive' : 'account inactive' };
  }
}

interface PrincipalRow {
  id: string;
  username: string;
  agency_id: string;
  roles: Principal['roles'];
  clearance: Principal['clearance'];
  compartments: string[];
  agency_code: string;
  agency_kind: string;
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

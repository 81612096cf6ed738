import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Principal } from '../access/principal';
import { UUID } from '../common/pagination';
import { preparedQuery } from '../common/prepared';
import { User } from '../users/user.entity';
import { AuditWriter } from '../audit/audit-writer';
import { type AppRequest, contextOf } from '../access/request-context';
import { AppConfig } from '../config/app-config';
import { DenialSampler } from './denial-sampler';

/** What a verified token's payload carries (jsonwebtoken has checked the signature, issuer, audience and expiry). */
export interface TokenPayload {
  sub?: unknown;
  exp?: unknown;
  iat?: unknown;
  /** The user's token version when the token was made: a password change bumps it, revoking older tokens. */
  tv?: unknown;
  /** `password`: the token may only change the password (a temporary password logged in). */
  scope?: unknown;
}

/** The `scope` of a token given for a temporary password: good only for POST /auth/password. */
export const PASSWORD_CHANGE_SCOPE = 'password';

@Injectable()
export class PrincipalService {
  /** Which refused tokens of a deactivated account get an audit event of their own (see DenialSampler). */
  private readonly refusals = new DenialSampler();

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
  ) {}

  /**
   * The caller a verified token names, loaded fresh from the database on every request (a deactivated
   * user or agency, a changed role or clearance, takes effect at once); null for 401. The one way from a
   * token to a principal: the API's guard (JwtStrategy) and the queue dashboard both come here.
   *
   * A token this API signed carries `exp` and lives at most JWT_TTL_SECONDS; one without, or longer, was
   * not made here. A genuine token whose account or agency has been deactivated since is audited
   * (`auth.token`, DENIED: a departed officer still trying; sampled per account and reason like the login
   * throttle's refusals), a forged one never reaches this point.
   */
  async fromToken(req: AppRequest, payload: TokenPayload): Promise<Principal | null> {
    const { sub, exp, iat, tv, scope } = payload ?? {};
    if (typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number' || exp - iat > this.config.JWT_TTL_SECONDS) return null;
    if (typeof tv !== 'number' || (scope !== undefined && scope !== PASSWORD_CHANGE_SCOPE)) return null;
    const found = await this.lookup(sub, tv);
    if (found && 'principal' in found) {
      // A temporary password's token, or any token of a user whose password is temporary: only the password change.
      return scope === PASSWORD_CHANGE_SCOPE || found.principal.passwordChangeOnly ? { ...found.principal, passwordChangeOnly: true } : found.principal;
    }
    if (!found) return null;
    const skipped = this.refusals.take(`${found.id} ${found.reason}`, Date.now());
    if (skipped !== null) {
      await this.audit.record(contextOf(req), {
        action: 'auth.token',
        resourceType: 'User',
        resourceId: found.id,
        actorId: found.id,
        agencyId: found.agencyId,
        outcome: 'DENIED',
        reason: found.reason,
        details: { ip: req.ip, method: req.method, path: req.url.split('?')[0].slice(0, 200), ...(skipped > 0 ? { refusedWithoutEvent: skipped } : {}) },
      });
    }
    return null;
  }

  /** The user as a principal when they and their agency are active; null otherwise. */
  async load(userId: string): Promise<Principal | null> {
    const found = await this.lookup(userId);
    return found && 'principal' in found && !found.principal.passwordChangeOnly ? found.principal : null;
  }

  /**
   * The user as a principal when they and their agency are active, else why not; null for no such user.
   * One prepared query, mapped by hand (it runs for every authenticated request).
   */
  async lookup(
    userId: string,
    tokenVersion?: number,
  ): Promise<{ principal: Principal } | { id: string; agencyId: string; reason: 'account inactive' | 'agency inactive' | 'token revoked' } | null> {
    if (!UUID.test(userId)) return null; // a token's subject that is not a user id: no principal (401), never a cast error
    const [row] = await preparedQuery<PrincipalRow>(
      this.users.manager.connection,
      `SELECT u.id, u.username, u.agency_id, u.roles, u.clearance, u.compartments, u.active, u.token_version, u.password_change_required,
              a.code AS agency_code, a.kind AS agency_kind, a.active AS agency_active
         FROM app_user u JOIN agency a ON a.id = u.agency_id
        WHERE u.id = $1::uuid`,
      [userId],
    );
    if (!row) return null;
    if (!row.active || !row.agency_active) return { id: row.id, agencyId: row.agency_id, reason: row.active ? 'agency inactive' : 'account inactive' };
    if (tokenVersion !== undefined && tokenVersion !== row.token_version) return { id: row.id, agencyId: row.agency_id, reason: 'token revoked' };
    return {
      principal: {
        id: row.id,
        username: row.username,
        agencyId: row.agency_id,
        agencyCode: row.agency_code,
        inFusionCell: row.agency_kind === 'FUSION_CELL',
        inOversightAgency: row.agency_kind === 'OVERSIGHT',
        roles: row.roles,
        clearance: row.clearance,
        compartments: row.compartments,
        ...(row.password_change_required ? { passwordChangeOnly: true } : {}),
      },
    };
  }
}

interface PrincipalRow {
  id: string;
  active: boolean;
  agency_active: boolean;
  username: string;
  agency_id: string;
  roles: Principal['roles'];
  clearance: Principal['clearance'];
  compartments: string[];
  token_version: number;
  password_change_required: boolean;
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
    inOversightAgency: user.agency.kind === 'OVERSIGHT',
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

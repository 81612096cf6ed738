import { Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from '../access/principal';
import { AuditService } from '../audit/audit.service';
import { type AppRequest, contextOf } from '../common/request-context';
import { AppConfig } from '../config/app-config';
import { PrincipalService } from './principal.service';

export const JWT_ISSUER = 'fusion-cell';
export const JWT_AUDIENCE = 'fusion-cell-api';

interface TokenPayload {
  sub: string;
  exp?: number;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: AppConfig,
    private readonly principals: PrincipalService,
    private readonly audit: AuditService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject: with a plain string, jsonwebtoken first tries (and fails) to parse it as a public key on every request.
      // (passport-jwt types say string or Buffer; it hands the key to jsonwebtoken, which takes a KeyObject.)
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  async validate(req: AppRequest, payload: TokenPayload): Promise<Principal | false> {
    // Every token this API signs expires; one without `exp` was not made here (jsonwebtoken accepts it).
    if (typeof payload?.sub !== 'string' || typeof payload.exp !== 'number') return false;
    const principal = await this.principals.load(payload.sub);
    if (principal) return principal;
    // A genuine token whose account (or agency) has been deactivated since: 401 as for any bad token,
    // and, unlike a forged one, worth an auditor's eye (a departed officer still trying).
    const refused = await this.principals.inactive(payload.sub);
    if (refused) {
      await this.audit.record(contextOf(req), {
        action: 'auth.token',
        resourceType: 'User',
        resourceId: refused.id,
        actorId: refused.id,
        agencyId: refused.agencyId,
        outcome: 'DENIED',
        reason: refused.reason,
        details: { ip: req.ip, method: req.method, path: req.url.split('?')[0].slice(0, 200) },
      });
    }
    return false;
  }
}

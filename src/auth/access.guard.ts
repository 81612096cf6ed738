import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AbilityFactory } from '../access/ability.factory';
import type { Principal } from '../access/principal';
import { AuditWriter } from '../audit/audit-writer';
import { OPTIONAL_USER_KEY, PUBLIC_KEY } from '../common/decorators';
import { AuthErrorCode, AuthException } from './auth.errors';
import { type AppRequest, contextOf } from '../access/request-context';
import { AUTHORIZE_KEY, type Requirement } from '../access/authorize.decorator';

/**
 * The one global guard. Public routes say @Public(); every other route must authenticate (JWT) and
 * declare @Authorize(action, subject), which the caller's ability must allow. A route that declares
 * neither is refused (deny by default).
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly abilities: AbilityFactory,
    private readonly audit: AuditWriter,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      if (this.reflector.getAllAndOverride<boolean>(OPTIONAL_USER_KEY, targets)) await this.optionalUser(context);
      return true;
    }

    await super.canActivate(context);
    const req = context.switchToHttp().getRequest<AppRequest>();
    const user = req.user;
    if (!user) throw new AuthException(AuthErrorCode.INVALID_TOKEN, 'Invalid or missing token');
    const ability = this.abilities.createFor(user);
    req.ability = ability;

    const need = this.reflector.getAllAndOverride<Requirement | undefined>(AUTHORIZE_KEY, targets);
    if (!need || !ability.can(need.action, need.subject)) {
      await this.audit.record(contextOf(req), {
        action: need ? auditActionOf(need) : 'route.access',
        resourceType: need?.subject ?? null,
        outcome: 'DENIED',
        reason: need ? 'role' : 'route declares no requirement',
        details: { method: req.method, path: req.routeOptions?.url ?? null },
      });
      throw user.passwordChangeOnly
        ? new AuthException(AuthErrorCode.PASSWORD_CHANGE_REQUIRED, 'Change your password first (POST /api/v1/auth/password)')
        : new AuthException(AuthErrorCode.ROLE_NOT_ALLOWED, 'Not allowed for your role');
    }
    return true;
  }

  /**
   * On a public route that reads an optional token: the caller and their ability when a valid token is
   * sent; otherwise (no token, a bad one, a refused account, the database unreachable) none, and the
   * route answers as to anyone — it never fails because of a token.
   */
  private async optionalUser(context: ExecutionContext): Promise<void> {
    const req = context.switchToHttp().getRequest<AppRequest>();
    if (!req.headers.authorization) return;
    try {
      await super.canActivate(context);
    } catch {
      /* anonymous */
    }
    if (req.user) req.ability = this.abilities.createFor(req.user);
    else req.user = undefined;
  }

  /**
   * A bad, expired or forged token reaches here as "no user" (401). An error is something else failing
   * while the caller was loaded — PostgreSQL down, say — and goes to the exception filter as it is
   * (503 for an unavailable database), never disguised as a 401.
   */
  override handleRequest<TUser = Principal>(err: unknown, user: TUser | false): TUser {
    if (err) throw err instanceof Error ? err : new Error('authentication failed', { cause: err });
    if (!user) throw new AuthException(AuthErrorCode.INVALID_TOKEN, 'Invalid or missing token');
    return user;
  }
}

const RESOURCE_NAMES: Record<string, string> = {
  Report: 'report',
  Agency: 'agency',
  User: 'user',
  AuditEvent: 'audit',
  Profile: 'profile',
  all: 'all',
};

export function auditActionOf(need: Requirement): string {
  return `${RESOURCE_NAMES[need.subject] ?? need.subject.toLowerCase()}.${need.action}`;
}

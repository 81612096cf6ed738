import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, MoreThan } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { tooManyRequests } from '../common/domain.exception';
import type { RequestContext } from '../common/request-context';
import { User } from '../users/user.entity';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.strategy';
import { LoginFailure } from './login-failure.entity';
import { PasswordService } from './password.service';
import { publicUser, toPrincipal } from './principal.service';
import { UnauthorizedException } from '@nestjs/common';

/** Failed logins allowed per (username, address) and per address in the window; the next is 429. */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perUserAndIp: 10, perIp: 100 } as const;

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly passwords: PasswordService,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async login(ctx: RequestContext, rawUsername: string, password: string) {
    const username = rawUsername.trim().toLowerCase();
    const failures = this.ds.getRepository(LoginFailure);
    const since = new Date(Date.now() - LOGIN_LIMITS.windowMs);
    // Every attempt is first written (and committed) as a failure, then counted with the others: attempts
    // sent at once see each other's rows, so a burst gets no more through than the limit. The row is
    // removed again when the attempt is refused by the throttle or succeeds.
    const reservation = String((await failures.insert({ username, clientIp: ctx.ip })).identifiers[0].id);
    const [perUser, perIp] = await Promise.all([
      failures.countBy({ username, clientIp: ctx.ip, at: MoreThan(since) }),
      failures.countBy({ clientIp: ctx.ip, at: MoreThan(since) }),
    ]);
    if (perUser > LOGIN_LIMITS.perUserAndIp || perIp > LOGIN_LIMITS.perIp) {
      await failures.delete(reservation);
      await this.audit.record(ctx, {
        action: 'auth.login',
        resourceType: 'User',
        resourceId: username,
        outcome: 'DENIED',
        reason: 'too many failed logins',
        details: { ip: ctx.ip },
      });
      throw tooManyRequests('Too many failed logins; try again later');
    }

    const user = await this.ds
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .leftJoinAndSelect('u.agency', 'a')
      .where('u.username = :username', { username })
      .getOne();
    const ok = user ? await this.passwords.verify(user.passwordHash, password) : await this.passwords.verifyNothing(password);
    if (!user || !ok || !user.active || !user.agency?.active) {
      // The attempt's row stays: it is the failure.
      await this.audit.record(ctx, {
        action: 'auth.login',
        resourceType: 'User',
        resourceId: user?.id ?? username,
        outcome: 'FAILED',
        reason: !user ? 'unknown user' : !ok ? 'wrong password' : 'account inactive',
        actorId: user?.id ?? null,
        agencyId: user?.agencyId ?? null,
        details: { username, ip: ctx.ip },
      });
      throw new UnauthorizedException('Invalid username or password');
    }
    await failures.delete(reservation);

    const principal = toPrincipal(user);
    const accessToken = await this.jwt.signAsync(
      { sub: user.id },
      { expiresIn: this.config.JWT_TTL_SECONDS, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithm: 'HS256' },
    );
    await this.audit.record(ctx, {
      action: 'auth.login',
      resourceType: 'User',
      resourceId: user.id,
      outcome: 'ALLOWED',
      actorId: user.id,
      agencyId: user.agencyId,
      details: { ip: ctx.ip },
    });
    return { accessToken, user: publicUser(principal) };
  }
}

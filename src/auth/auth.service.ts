import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditWriter } from '../audit/audit-writer';
import { AppConfig } from '../config/app-config';
import { skeleton } from '../common/confusables';
import { AuthErrorCode, AuthException } from './auth.errors';
import { CommonErrorCode, CommonException } from '../common/common.errors';
import type { AuthedContext, RequestContext } from '../access/request-context';
import { lowerIdentifier } from '../common/identifier';
import { User } from '../users/user.entity';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.strategy';
import { DenialSampler } from './denial-sampler';
import { LoginFailure } from './login-failure.entity';
import { PasswordService } from '../users/password.service';
import { PASSWORD_CHANGE_SCOPE, publicUser, toPrincipal } from './principal.service';

/**
 * The audit's resource id for a login named only by its username (unknown, or refused by the throttle):
 * prefixed, so that an anonymous client typing someone's user id or a report id as the username cannot
 * file a login event under that id.
 */
const byName = (username: string) => `username:${username}`;

/** The name as sent and its UTS #39 skeleton (of the name as compared: trimmed, lower case), for every login event. */
const sentName = (raw: string, username: string) => ({ usernameSent: raw, usernameSkeleton: skeleton(username) });

/** Failed logins allowed per (username, address) and per address in the window; the next is 429. */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perUserAndIp: 10, perIp: 100 } as const;

@Injectable()
export class AuthService {
  /** Which 429s of the login throttle get an audit event of their own (see DenialSampler). */
  private readonly denials = new DenialSampler();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly passwords: PasswordService,
    private readonly jwt: JwtService,
    private readonly audit: AuditWriter,
    private readonly config: AppConfig,
  ) {}

  async login(ctx: RequestContext, rawUsername: string, password: string) {
    const username = rawUsername.trim().toLowerCase();
    const failures = this.ds.getRepository(LoginFailure);
    const since = new Date(Date.now() - LOGIN_LIMITS.windowMs);
    // Every attempt is first written (and committed) as a failure, then counted with the others, so a
    // burst gets no more through than the limit. The row is removed again when the attempt is refused by
    // the throttle or succeeds. Attempts from one address take their turn (a lock per address, held only
    // for the insert and the count): each counts the failures on record and the attempts before it, not
    // those after it, so with 9 failures on record the first of two right passwords sent at once is tried.
    const { reservation, perUser, perIp } = await this.ds.transaction(async (m) => {
      // Waiting holds a pool connection: a flood from one address must not park the whole pool behind
      // its lock. Past 2 s the attempt is a 503 (55P03), to be retried.
      await m.query(`SET LOCAL lock_timeout = '2s'`);
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('auth.login'), hashtext($1))`, [ctx.ip]);
      const [row] = await m.query<{ id: string }[]>(`INSERT INTO login_failure (username, client_ip) VALUES ($1, $2) RETURNING id`, [username, ctx.ip]);
      const [counts] = await m.query<{ per_user: number; per_ip: number }[]>(
        `SELECT count(*) FILTER (WHERE username = $1)::int AS per_user, count(*)::int AS per_ip FROM login_failure WHERE client_ip = $2 AND at > $3`,
        [username, ctx.ip, since],
      );
      return { reservation: String(row.id), perUser: counts.per_user, perIp: counts.per_ip };
    });
    if (perUser > LOGIN_LIMITS.perUserAndIp || perIp > LOGIN_LIMITS.perIp) {
      await failures.delete(reservation);
      // Refusals of an address over its own limit are sampled per address, those of one account per
      // address and username (an address rotating usernames is over its own limit soon enough).
      const skipped = this.denials.take(perIp > LOGIN_LIMITS.perIp ? `ip ${ctx.ip}` : `user ${ctx.ip} ${username}`, Date.now());
      if (skipped !== null) {
        await this.audit.record(ctx, {
          action: 'auth.login',
          resourceType: 'User',
          resourceId: byName(username),
          outcome: 'DENIED',
          reason: 'too many failed logins',
          details: { ip: ctx.ip, ...sentName(rawUsername, username), ...(skipped > 0 ? { refusedWithoutEvent: skipped } : {}) },
        });
      }
      throw new CommonException(CommonErrorCode.RATE_LIMITED, 'Too many failed logins; try again later');
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
        resourceId: user?.id ?? byName(username),
        outcome: 'FAILED',
        reason: !user ? 'unknown user' : !ok ? 'wrong password' : 'account inactive',
        actorId: user?.id ?? null,
        agencyId: user?.agencyId ?? null,
        details: { username, ip: ctx.ip, ...sentName(rawUsername, username), ...(user ? {} : await this.lookAlikeOf(username)) },
      });
      throw new AuthException(AuthErrorCode.INVALID_CREDENTIALS, 'Invalid username or password');
    }
    await failures.delete(reservation);

    const principal = toPrincipal(user);
    const accessToken = await this.sign(user);
    await this.audit.record(ctx, {
      action: 'auth.login',
      resourceType: 'User',
      resourceId: user.id,
      outcome: 'ALLOWED',
      actorId: user.id,
      agencyId: user.agencyId,
      details: { ip: ctx.ip, ...sentName(rawUsername, username), ...(user.passwordChangeRequired ? { passwordChangeRequired: true } : {}) },
    });
    // A password an ADMIN reset is temporary: its token is good only for POST /auth/password (SPEC S1).
    if (user.passwordChangeRequired) return { passwordChangeRequired: true as const, accessToken };
    return { accessToken, user: publicUser(principal) };
  }

  /**
   * A user changes their own password (any user; the only thing a temporary password's token may do).
   * The current password is checked under the login throttle's per-account limit; the change bumps the
   * token version, so every older token stops working, and answers a fresh token as login does.
   */
  async changePassword(ctx: AuthedContext, currentPassword: string, newPassword: string) {
    if (currentPassword === newPassword) throw new AuthException(AuthErrorCode.SAME_PASSWORD, 'newPassword must differ from currentPassword', { fields: ['newPassword'] });
    const since = new Date(Date.now() - LOGIN_LIMITS.windowMs);
    const username = ctx.principal.username;
    const [counts] = await this.ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM login_failure WHERE username = $1 AND client_ip = $2 AND at > $3`, [
      username,
      ctx.ip,
      since,
    ]);
    if (counts.n >= LOGIN_LIMITS.perUserAndIp) throw new CommonException(CommonErrorCode.RATE_LIMITED, 'Too many failed attempts; try again later');
    const current = await this.ds.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id: ctx.principal.id }).getOne();
    if (!current || !(await this.passwords.verify(current.passwordHash, currentPassword))) {
      await this.ds.query(`INSERT INTO login_failure (username, client_ip) VALUES ($1, $2)`, [username, ctx.ip]);
      await this.audit.record(ctx, { action: 'auth.password', resourceType: 'User', resourceId: ctx.principal.id, outcome: 'FAILED', reason: 'wrong current password' });
      throw new AuthException(AuthErrorCode.WRONG_CURRENT_PASSWORD, 'currentPassword is not the current password', { fields: ['currentPassword'] });
    }
    const passwordHash = await this.passwords.hash(newPassword);
    const tokenVersion = await this.ds.transaction(async (m) => {
      const [rows] = await m.query<[{ token_version: number }[], number]>(
        `UPDATE app_user SET password_hash = $2, password_change_required = false, token_version = token_version + 1 WHERE id = $1 RETURNING token_version`,
        [ctx.principal.id, passwordHash],
      );
      await this.audit.record(
        ctx,
        { action: 'auth.password', resourceType: 'User', resourceId: ctx.principal.id, outcome: 'ALLOWED', details: { wasTemporary: current.passwordChangeRequired } },
        m,
      );
      return rows[0].token_version;
    });
    const { passwordChangeOnly: _only, ...principal } = ctx.principal;
    return { accessToken: await this.sign({ id: current.id, tokenVersion, passwordChangeRequired: false }), user: publicUser(principal) };
  }

  private sign(user: Pick<User, 'id' | 'tokenVersion' | 'passwordChangeRequired'>): Promise<string> {
    return this.jwt.signAsync(
      { sub: user.id, tv: user.tokenVersion, ...(user.passwordChangeRequired ? { scope: PASSWORD_CHANGE_SCOPE } : {}) },
      { expiresIn: this.config.JWT_TTL_SECONDS, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithm: 'HS256' },
    );
  }

  /**
   * For an unknown name written with look-alike letters of other scripts (`аdmin` in Cyrillic), the
   * existing user it imitates, so an auditor sees the attempt for what it is. One indexed look-up, and
   * only for a name that is not plain ASCII (usernames are).
   */
  private async lookAlikeOf(username: string): Promise<{ usernameLooksLike?: string }> {
    if (/^[\x20-\x7e]*$/.test(username)) return {};
    const twin = lowerIdentifier(username);
    if (twin === username || !/^[\x20-\x7e]+$/.test(twin)) return {};
    const found = await this.ds.getRepository(User).findOne({ where: { username: twin }, select: { id: true, username: true } });
    return found ? { usernameLooksLike: found.username } : {};
  }
}

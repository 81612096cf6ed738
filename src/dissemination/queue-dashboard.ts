import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastify } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { AuthService } from '../auth/auth.service';
import { JWT_AUDIENCE, JWT_ISSUER } from '../auth/jwt.strategy';
import { PrincipalService, type TokenPayload } from '../auth/principal.service';
import { AbilityFactory } from '../access/ability.factory';
import type { Principal } from '../access/principal';
import { contextOf } from '../access/request-context';
import { AuditWriter } from '../audit/audit-writer';
import { toErrorBody } from '../common/error-body';
import { CommonErrorCode } from '../common/common.errors';
import { DISSEMINATION_QUEUE, RETENTION_QUEUE } from '../common/queues';
import { withoutForeignLinks } from './queue-dashboard-page';

export const DASHBOARD_PATH = '/admin/queues';
/** How long a verified Basic credential spares argon2 (the account is still re-read on every request). */
const CACHE_MS = 5 * 60_000;
/** At most this many verified credentials remembered (one per admin and password in practice). */
const CACHE_MAX = 1000;
/** The dashboard only reads: redrive goes through the audited API (POST /disseminations/:id/redrive). */
const READ_METHODS = new Set(['GET', 'HEAD']);

/** A credential remembered after a login: its account, and a fingerprint of the password hash it matched. */
interface Remembered {
  userId: string;
  agencyId: string;
  passwordFingerprint: string;
  until: number;
}

/**
 * The queue dashboard (@bull-board) under /admin/queues, for ADMIN only: a bearer token, or HTTP
 * Basic credentials so a browser can open it. Basic credentials go through the API's own login
 * (AuthService.login: the same throttle, 429 included, and every failed attempt audited). A
 * successful Basic login is remembered for five minutes (by a hash of the header) so the page's
 * assets do not each cost an argon2 verification, but the account is re-read on every request: it
 * must still be active, in an active agency, an ADMIN, and hold the password hash the login matched,
 * or the credentials go through the login again (a deactivated, demoted or re-passworded ADMIN is
 * refused at once). Anything else, or any error, is a 401.
 *
 * Read-only (SPEC S1): every queue is in @bull-board's `readOnlyMode`, and any method but GET/HEAD is
 * refused (405) and audited before it reaches the board.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const queues = [DISSEMINATION_QUEUE, RETENTION_QUEUE].map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)), { readOnlyMode: true }));
  const board = new BullBoardFastify();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues, serverAdapter: board, options: { uiConfig: { boardTitle: 'Fusion Cell queues' } } });

  const jwt = app.get(JwtService);
  const principals = app.get(PrincipalService);
  const abilities = app.get(AbilityFactory);
  const auth = app.get(AuthService);
  const audit = app.get(AuditWriter);
  const logger = new Logger('QueueDashboard');
  const ds = app.get<DataSource>(getDataSourceToken());
  const remembered = new Map<string, Remembered>();
  /** An account's password hash, fingerprinted (the hash itself is not kept in memory), by id or username; null for no such user. */
  const passwordFingerprint = async (by: 'id' | 'username', value: string): Promise<{ id: string; fp: string } | null> => {
    const [row] = await ds.query<{ id: string; fp: string }[]>(
      `SELECT id, encode(sha256(convert_to(password_hash, 'UTF8')), 'hex') AS fp FROM app_user WHERE ${by === 'id' ? 'id = $1::uuid' : 'username = $1'}`,
      [value],
    );
    return row ?? null;
  };
  /** Whether the principal manages the queues (ADMIN: the ability factory's rule). */
  const managesQueues = (p: Principal | null): p is Principal => !!p && abilities.createFor(p).can('manage', 'Queue');
  /** The remembered credential's account, re-read now: still an active ADMIN with the same password. */
  const stillValid = async (entry: Remembered): Promise<boolean> =>
    managesQueues(await principals.load(entry.userId)) && (await passwordFingerprint('id', entry.userId))?.fp === entry.passwordFingerprint;

  /** The ADMIN the request's credentials name, or null (401). */
  const adminFrom = async (req: FastifyRequest): Promise<{ id: string; agencyId: string } | null> => {
    const header = req.headers.authorization;
    if (!header) return null;
    const bearer = /^Bearer (.+)$/i.exec(header);
    if (bearer) {
      let payload: TokenPayload;
      try {
        payload = await jwt.verifyAsync<TokenPayload>(bearer[1], { issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithms: ['HS256'] });
      } catch {
        return null; // forged, expired or malformed
      }
      // The API's own way from a token to a principal (expiry rules, deactivated accounts audited).
      const p = await principals.fromToken(req, payload);
      return managesQueues(p) ? { id: p.id, agencyId: p.agencyId } : null;
    }
    const basic = /^Basic (.+)$/i.exec(header);
    if (!basic) return null;
    const key = createHash('sha256').update(basic[1]).digest('hex');
    const entry = remembered.get(key);
    if (entry && entry.until > Date.now() && (await stillValid(entry))) return { id: entry.userId, agencyId: entry.agencyId };
    remembered.delete(key);
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // What POST /auth/login would refuse with a 400 is a 401 here, before any query (PostgreSQL takes no NUL).
    if (colon < 1 || username.length > 64 || password.length > 256 || [...username].some((c) => c < ' ' || c === '\u007f') || password.includes('\u0000')) return null;
    // The hash's fingerprint is read before the login verifies the password: were it changed in between,
    // the login fails or the fingerprint is already stale (and the next request logs in again).
    const before = await passwordFingerprint('username', username.trim().toLowerCase());
    const { user } = await auth.login(contextOf(req), username, password);
    // No user: a temporary password, which only POST /auth/password takes.
    if (!user || !managesQueues(await principals.load(user.id))) return null;
    const fingerprint = before?.id === user.id ? before.fp : null;
    if (fingerprint) {
      const now = Date.now();
      for (const [k, e] of remembered) if (e.until <= now || remembered.size >= CACHE_MAX) remembered.delete(k);
      remembered.set(key, { userId: user.id, agencyId: user.agencyId, passwordFingerprint: fingerprint, until: now + CACHE_MS });
    }
    await audit.record(contextOf(req), { action: 'queue.dashboard', resourceType: 'Queue', outcome: 'ALLOWED', actorId: user.id, agencyId: user.agencyId });
    return { id: user.id, agencyId: user.agencyId };
  };

  await app.register(
    async (instance: FastifyInstance) => {
      instance.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          const admin = await adminFrom(req);
          if (admin && READ_METHODS.has(req.method)) return;
          if (admin) {
            // Pause, add, clean, obliterate, retry, promote…: not here. The attempt is audited.
            await audit.record(contextOf(req), {
              action: 'queue.dashboard',
              resourceType: 'Queue',
              outcome: 'DENIED',
              reason: 'the queue dashboard is read-only',
              actorId: admin.id,
              agencyId: admin.agencyId,
              details: { method: req.method, path: req.url.split('?')[0].slice(0, 200) },
            });
            await reply.code(405).header('allow', 'GET, HEAD').send({ statusCode: 405, error: 'Method Not Allowed', code: CommonErrorCode.METHOD_NOT_ALLOWED, message: 'The queue dashboard is read-only', requestId: req.id });
            return;
          }
        } catch (err) {
          // The throttle's 429 and a dependency's 503 as the API answers them; anything else asks again (401).
          const out = toErrorBody(err, String(req.id));
          if (out.statusCode === 429 || out.statusCode === 503) {
            await reply.code(out.statusCode).send(out);
            return;
          }
          if (out.statusCode !== 401) logger.warn({ err, requestId: req.id }, 'queue dashboard: credentials check failed');
        }
        await reply
          .code(401)
          .header('www-authenticate', 'Basic realm="Fusion Cell queues", charset="UTF-8"')
          .send({ statusCode: 401, error: 'Unauthorized', code: CommonErrorCode.UNAUTHORIZED, message: 'ADMIN credentials required', requestId: req.id });
      });
      instance.addHook('onSend', withoutForeignLinks); // no third-party font (the CSP refuses it)
      await instance.register(board.registerPlugin());
    },
    { prefix: DASHBOARD_PATH },
  );
}

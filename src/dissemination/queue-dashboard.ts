import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastify } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { Logger, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { AuthService } from '../auth/auth.service';
import { JWT_AUDIENCE, JWT_ISSUER } from '../auth/jwt.strategy';
import { PrincipalService, type TokenPayload } from '../auth/principal.service';
import { AbilityFactory } from '../access/ability.factory';
import { contextOf } from '../common/request-context';
import { AuditService } from '../audit/audit.service';
import { toErrorBody } from '../common/error-body';
import { DISSEMINATION_QUEUE, RETENTION_QUEUE } from '../common/queues';
import { withoutForeignLinks } from './queue-dashboard-page';

export const DASHBOARD_PATH = '/admin/queues';
const CACHE_MS = 5 * 60_000;

/**
 * The queue dashboard (@bull-board) under /admin/queues, for ADMIN only: a bearer token, or HTTP
 * Basic credentials so a browser can open it. Basic credentials go through the API's own login
 * (AuthService.login: the same throttle, 429 included, and every failed attempt audited). A
 * successful Basic login is remembered for five minutes (by a hash of the header) so the page's
 * assets do not each cost an argon2 verification. Anything else, or any error, is a 401.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const queues = [DISSEMINATION_QUEUE, RETENTION_QUEUE].map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)), { readOnlyMode: false }));
  const board = new BullBoardFastify();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues, serverAdapter: board, options: { uiConfig: { boardTitle: 'Fusion Cell queues' } } });

  const jwt = app.get(JwtService);
  const principals = app.get(PrincipalService);
  const abilities = app.get(AbilityFactory);
  const auth = app.get(AuthService);
  const audit = app.get(AuditService);
  const logger = new Logger('QueueDashboard');
  const remembered = new Map<string, number>();

  const adminFrom = async (req: FastifyRequest): Promise<string | null> => {
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
      return p && abilities.createFor(p).can('manage', 'Queue') ? p.id : null;
    }
    const basic = /^Basic (.+)$/i.exec(header);
    if (!basic) return null;
    const key = createHash('sha256').update(basic[1]).digest('hex');
    const until = remembered.get(key);
    if (until && until > Date.now()) return 'remembered';
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // What POST /auth/login would refuse with a 400 is a 401 here, before any query (PostgreSQL takes no NUL).
    if (colon < 1 || username.length > 64 || password.length > 256 || [...username].some((c) => c < ' ' || c === '\u007f') || password.includes('\u0000')) return null;
    const { user } = await auth.login(contextOf(req), username, password);
    if (!user.roles.includes('ADMIN')) return null;
    remembered.set(key, Date.now() + CACHE_MS);
    await audit.record(contextOf(req), { action: 'queue.dashboard', resourceType: 'Queue', outcome: 'ALLOWED', actorId: user.id, agencyId: user.agencyId });
    return user.id;
  };

  await app.register(
    async (instance: FastifyInstance) => {
      instance.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          if (await adminFrom(req)) return;
        } catch (err) {
          // The throttle's 429 and a dependency's 503 as the API answers them; anything else asks again (401).
          const out = toErrorBody(err, String(req.id));
          if (out.statusCode === 429 || out.statusCode === 503) {
            await reply.code(out.statusCode).send(out);
            return;
          }
          if (!(err instanceof UnauthorizedException)) logger.warn({ err, requestId: req.id }, 'queue dashboard: credentials check failed');
        }
        await reply
          .code(401)
          .header('www-authenticate', 'Basic realm="Fusion Cell queues", charset="UTF-8"')
          .send({ statusCode: 401, error: 'Unauthorized', message: 'ADMIN credentials required', requestId: req.id });
      });
      instance.addHook('onSend', withoutForeignLinks); // no third-party font (the CSP refuses it)
      await instance.register(board.registerPlugin());
    },
    { prefix: DASHBOARD_PATH },
  );
}

import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastify } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { JWT_AUDIENCE, JWT_ISSUER } from '../auth/jwt.strategy';
import { PasswordService } from '../auth/password.service';
import { PrincipalService } from '../auth/principal.service';
import { AuditService } from '../audit/audit.service';
import { DISSEMINATION_QUEUE, RETENTION_QUEUE } from '../common/queues';
import { User } from '../users/user.entity';

export const DASHBOARD_PATH = '/admin/queues';
const CACHE_MS = 5 * 60_000;

/**
 * The queue dashboard (@bull-board) under /admin/queues, for ADMIN only: a bearer token, or HTTP
 * Basic credentials so a browser can open it. A successful Basic login is remembered for five
 * minutes (by a hash of the header) so the page's assets do not each cost an argon2 verification.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const queues = [DISSEMINATION_QUEUE, RETENTION_QUEUE].map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)), { readOnlyMode: false }));
  const board = new BullBoardFastify();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues, serverAdapter: board, options: { uiConfig: { boardTitle: 'Fusion Cell queues' } } });

  const jwt = app.get(JwtService);
  const principals = app.get(PrincipalService);
  const passwords = app.get(PasswordService);
  const audit = app.get(AuditService);
  const ds = app.get<DataSource>(getDataSourceToken());
  const remembered = new Map<string, number>();

  const adminFrom = async (header: string | undefined): Promise<string | null> => {
    if (!header) return null;
    const bearer = /^Bearer (.+)$/i.exec(header);
    if (bearer) {
      try {
        const payload = await jwt.verifyAsync<{ sub: string }>(bearer[1], { issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithms: ['HS256'] });
        const p = await principals.load(payload.sub);
        return p?.roles.includes('ADMIN') ? p.id : null;
      } catch {
        return null;
      }
    }
    const basic = /^Basic (.+)$/i.exec(header);
    if (!basic) return null;
    const key = createHash('sha256').update(basic[1]).digest('hex');
    const until = remembered.get(key);
    if (until && until > Date.now()) return 'remembered';
    const [username, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    const user = await ds.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.username = :u', { u: (username ?? '').toLowerCase() }).getOne();
    if (!user?.active || !user.roles.includes('ADMIN') || !(await passwords.verify(user.passwordHash, rest.join(':')))) return null;
    remembered.set(key, Date.now() + CACHE_MS);
    await audit.record({ requestId: 'queue-dashboard', ip: '', principal: null }, { action: 'queue.dashboard', resourceType: 'Queue', outcome: 'ALLOWED', actorId: user.id, agencyId: user.agencyId });
    return user.id;
  };

  await app.register(
    async (instance: FastifyInstance) => {
      instance.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (await adminFrom(req.headers.authorization)) return;
        await reply
          .code(401)
          .header('www-authenticate', 'Basic realm="Fusion Cell queues", charset="UTF-8"')
          .send({ statusCode: 401, error: 'Unauthorized', message: 'ADMIN credentials required', requestId: req.id });
      });
      await instance.register(board.registerPlugin());
    },
    { prefix: DASHBOARD_PATH },
  );
}

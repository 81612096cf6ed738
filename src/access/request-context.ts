import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { clientRequestIdOf } from '../common/request-id';
import type { AppAbility } from './ability.factory';
import type { Principal } from './principal';

/** What every service needs to know about the request it serves: who, from where, and its id. */
export interface RequestContext {
  /** Always the system's own: a UUID made for each request (app.setup.ts), or `(name)` for its own work. */
  requestId: string;
  /** The X-Request-Id the client sent (well-formed ones only), kept beside requestId, never used as it. */
  clientRequestId?: string | null;
  ip: string;
  principal: Principal | null;
}

export interface AuthedContext extends RequestContext {
  principal: Principal;
  ability: AppAbility;
}

export type AppRequest = FastifyRequest & { user?: Principal; ability?: AppAbility };

/**
 * The context of the system's own work (the worker, the relay, retention, the bootstrap). Its request
 * id is in parentheses; a request's id is always a UUID the system made (app.setup.ts), so no client
 * can pass its events off as the system's, or as another request's.
 */
export function systemContext(name: string): RequestContext {
  return { requestId: `(${name})`, ip: '127.0.0.1', principal: null };
}

export function contextOf(req: AppRequest): RequestContext {
  return { requestId: String(req.id), clientRequestId: clientRequestIdOf(req.raw), ip: req.ip, principal: req.user ?? null };
}

/** The request context; on authenticated routes it carries the principal and their ability. */
export const Ctx = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestContext | AuthedContext => {
  const req = ctx.switchToHttp().getRequest<AppRequest>();
  return req.user && req.ability ? { ...contextOf(req), principal: req.user, ability: req.ability } : contextOf(req);
});

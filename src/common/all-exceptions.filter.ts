import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from './error-body';

/** The one exception filter: every error leaves as `{statusCode, error, code, message, requestId}`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const out = toErrorBody(exception, req?.id ? String(req.id) : undefined);
    if (reply.sent) return;
    void reply.status(out.statusCode).header('content-type', 'application/json; charset=utf-8').send(out);
  }
}

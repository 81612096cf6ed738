import { BadRequestException, type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';

/** A route that declares no @Body() takes none: a non-empty body is refused, not silently ignored. */
@Injectable()
export class NoBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
      const takesBody = Object.keys(args).some((k) => k.split(':')[0] === String(RouteParamtypes.BODY));
      const body = context.switchToHttp().getRequest<FastifyRequest>().body;
      const empty = body === undefined || (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
      if (!takesBody && !empty) {
        const keys = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
        throw new BadRequestException({
          message: [keys.length ? keys.map((k) => `property ${k} should not exist`).join('; ') : 'body must be empty: this endpoint takes none'],
          fields: keys.length ? keys : ['body'],
        });
      }
    }
    return next.handle();
  }
}

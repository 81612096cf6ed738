import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { CommonErrorCode, CommonException } from './common.errors';

const isEmptyObject = (v: unknown) => v === undefined || (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
const keysOf = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);

/**
 * A route that declares no @Body() takes no body, and one that declares no @Query() takes no query
 * parameters: anything sent anyway is refused (400 naming it), never silently ignored.
 */
@Injectable()
export class UndeclaredInputInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
      const declares = (type: RouteParamtypes) => Object.keys(args).some((k) => k.split(':')[0] === String(type));
      const req = context.switchToHttp().getRequest<FastifyRequest>();
      if (!declares(RouteParamtypes.BODY) && !isEmptyObject(req.body)) {
        const keys = keysOf(req.body);
        throw new CommonException(
          CommonErrorCode.VALIDATION,
          keys.length ? keys.map((k) => `property ${k} should not exist`).join('; ') : 'body must be empty: this endpoint takes none',
          { fields: keys.length ? keys : ['body'] },
        );
      }
      if (!declares(RouteParamtypes.QUERY) && !isEmptyObject(req.query)) {
        const keys = keysOf(req.query).map((k) => k.split(String.fromCharCode(0)).join('\\0'));
        throw new CommonException(CommonErrorCode.VALIDATION, keys.map((k) => `query parameter ${k} should not exist`).join('; '), { fields: keys });
      }
    }
    return next.handle();
  }
}

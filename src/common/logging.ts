import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { clientRequestIdOf } from './request-id';

/**
 * Structured logs: JSON in production, one line per request with its id; authorisation headers,
 * cookies, passwords and bodies are never logged.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.NODE_ENV === 'test' ? 'silent' : config.LOG_LEVEL,
      genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body', 'res.headers["set-cookie"]', '*.password'],
        remove: true,
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      },
      customProps: (req) => ({ requestId: (req as { id?: string }).id, clientRequestId: clientRequestIdOf(req) ?? undefined }),
      transport:
        config.NODE_ENV === 'development'
          ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
          : undefined,
    },
  };
}

import helmet from '@fastify/helmet';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppValidationPipe } from './common/validation.pipe';
import { toErrorBody } from './common/error-body';
import { UndeclaredInputInterceptor } from './common/undeclared-input.interceptor';
import { mountQueueDashboard } from './dissemination/queue-dashboard';
import { ERROR_CODES } from './error-codes';

export const BODY_LIMIT = 1024 * 1024;
export const REQUEST_TIMEOUT_MS = 60_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The Fastify adapter every API process (and every e2e test) uses. `X-Forwarded-For` is believed only
 * from `trustedProxies` (TRUSTED_PROXIES); without any, the client address is the socket's.
 */
export function createAdapter(trustedProxies: string[] = []): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: trustedProxies.length > 0 ? trustedProxies : false,
    // A request must arrive whole within a minute (Fastify's default is no limit: a client sending a
    // byte every few seconds would hold its connection and its memory for ever). Responses, such as
    // the audit export's stream, are not limited by this.
    requestTimeout: REQUEST_TIMEOUT_MS,
    // No automatic HEAD for every GET: it would run the GET's handler, so a HEAD of a report would be
    // audited as reading it while its caller got only the headers.
    exposeHeadRoutes: false,
    // Our own request ids, always: a UUID per request (the response's X-Request-Id). A well-formed
    // incoming X-Request-Id is kept beside it as the client's (audit clientRequestId, logs), never as ours,
    // so no client can file its events under another request's id.
    requestIdHeader: false,
    genReqId: (raw: IncomingMessage) => {
      const given = raw.headers['x-request-id'];
      const id = randomUUID();
      Object.assign(raw, { id, clientRequestId: typeof given === 'string' && REQUEST_ID.test(given) ? given : null });
      return id;
    },
    // Refuse prototype-pollution keys outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Router-level errors (a path that is not valid percent-encoding, a parameter over maxParamLength)
    // never reach Nest: answer them with the contract's error body too.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const out = toErrorBody(err, String(req.id));
      void reply.code(out.statusCode).header('x-request-id', req.id).send(out);
    },
  });
}

/** Everything configured on the app beyond its modules: shared by main.ts and the tests. */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new AppValidationPipe());
  app.useGlobalInterceptors(new UndeclaredInputInterceptor());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // JSON everywhere: text/plain (Fastify's default) is answered 415 like any other type.
  fastify.removeContentTypeParser('text/plain');
  await app.register(helmet, {
    // Swagger UI needs inline scripts and styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  fastify.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  await mountQueueDashboard(app);
  setupSwagger(app);
}

export function setupSwagger(app: INestApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('Fusion Cell API')
    .setDescription(
      'A national interagency fusion cell: report intake, need-to-know reads, fusion and a tamper-evident audit log. ' +
        'Authenticate with POST /api/v1/auth/login and send the token as `Authorization: Bearer …`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  // ErrorBodyDto (in common/) cannot import the capabilities' codes; the document gets them here.
  const errorCode = (document.components?.schemas?.ErrorBodyDto as SchemaObject | undefined)?.properties?.code as SchemaObject | undefined;
  if (errorCode) errorCode.enum = [...ERROR_CODES];
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

/**
 * Ceiling (a) of the intake benchmark: a bare Fastify route in its own process, same Fastify version
 * as the API, parsing the same JSON body and answering 201 with a small JSON body. No Nest, no guard,
 * no database.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/bare', (req, reply) => {
  const body = req.body as { title?: unknown };
  void reply.code(201).send({ id: randomUUID(), title: typeof body?.title === 'string' ? body.title : null });
});
app.get('/health', (_req, reply) => {
  void reply.send({ ok: true });
});
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

/**
 * The floor of a Fastify server: Fastify's own request pipeline and nothing of ours (no hooks,
 * no validation, no database), answering `POST /heartbeat` with a constant JSON body. Measured
 * beside the no-op `node:http` server by bench/fastify-floor.ts.
 *
 *   node bench/lib/fastify-floor-server.mjs <port>
 */
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const BODY = Buffer.from(
  '{"status":"success","timestamp":"2026-12-03T10:37:55.392661+00:00","message":"Heartbeat recorded"}',
);

const app = Fastify({ logger: false });
// /health only so the bench sees the server ready.
app.get('/health', async () => ({ status: 'healthy' }));
app.post('/heartbeat', async (_request, reply) =>
  reply.header('content-type', 'application/json').send(BODY),
);
await app.listen({ port, host: '127.0.0.1' });

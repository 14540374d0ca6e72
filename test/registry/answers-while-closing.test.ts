import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/registry/http/admin-app.js';
import { startRegistry } from '../helpers/registry-app.js';

// A request that arrives on an open connection once the registry has begun to close (SIGTERM) is
// served, on the main port and on the admin port alike: never Fastify's own 503 body, which is not
// the registry's shape. The second of two pipelined requests arrives after close() began: the
// first one's body is still being sent then, so its connection is busy and stays open.

/** Raw HTTP/1.1 on one socket: everything it receives, until the server closes it. */
function rawConnection(port: number): { socket: Socket; received: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const received = new Promise<string>((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  return { socket, received };
}

const portOf = (app: FastifyInstance): number => {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

/** Status lines and bodies of the responses in `text`, in order. */
function responses(text: string): { status: number; body: string }[] {
  const found: { status: number; body: string }[] = [];
  const pattern = /HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const length = Number(/content-length: (\d+)/i.exec(match[2]!)?.[1] ?? 0);
    const start = match.index + match[0].length;
    found.push({ status: Number(match[1]), body: text.slice(start, start + length) });
    pattern.lastIndex = start + length;
  }
  return found;
}

async function closeDuringPipelinedRequests(app: FastifyInstance, secondPath: string) {
  const { socket, received } = rawConnection(portOf(app));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // The first request's headers and half its body: it has arrived, and its connection is busy.
  socket.write(
    'POST /admin/drain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{',
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const closed = app.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  // The rest of the first body, then a second request: it arrives while the app closes.
  socket.write(`}GET ${secondPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const text = await received;
  await closed;
  return responses(text);
}

describe('requests that arrive while the registry closes', () => {
  it('are served on the admin port, not answered with Fastify’s 503 body', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_ADMIN_PORT: '1' } });
    const admin = await buildAdminApp({
      config: registry.app.config,
      store: registry.store,
      logger: pino({ level: 'silent' }),
    });
    await admin.listen({ host: '127.0.0.1', port: 0 });
    const answers = await closeDuringPipelinedRequests(admin, '/admin/drain');
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    // (Node runs pipelined requests' handlers side by side: this read may precede the drain's commit.)
    expect(JSON.parse(answers[1]!.body)).toEqual({ draining: expect.any(Boolean), live_claims: 0 });
  });

  it('are served on the main port too', async () => {
    await using registry = await startRegistry();
    const answers = await closeDuringPipelinedRequests(registry.app, '/health');
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(JSON.parse(answers[1]!.body)).toMatchObject({ status: 'healthy' });
    // Closed already: the helper's own close afterwards is a no-op.
  });
});

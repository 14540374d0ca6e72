/**
 * Bounded work per request on the wire: a body over the limit is answered 413 to a client that
 * keeps writing it, a client trickling its request is cut off, connections are capped.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

/** Everything the server sends until it closes (or `ms` pass), and how the socket ended. */
function collect(socket: Socket, ms: number): Promise<{ text: string; error?: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    let error: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, error: 'still open', elapsedMs: Date.now() - started });
    }, ms);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, error, elapsedMs: Date.now() - started });
    });
  });
}

function open(baseUrl: string): Promise<Socket> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with what the server sent once a whole response (headers and body) arrived, or the socket closed. */
function firstResponse(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      clearTimeout(timer);
      resolve(text);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (end !== -1 && length && text.length >= end + 4 + Number(length[1])) done();
    });
    socket.on('error', () => {});
    socket.on('close', done);
  });
}

describe('a body over the size limit', () => {
  it('is answered 413 in JSON to a client that writes all of it, not a broken pipe', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_MAX_BODY_BYTES: '1048576' } });
    for (const framing of ['content-length', 'chunked'] as const) {
      const socket = await open(registry.baseUrl);
      const response = firstResponse(socket, 20_000);
      const size = 12 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      socket.write(
        `POST /heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n${
          framing === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${size}`
        }\r\n\r\n`,
      );
      let writeError: string | undefined;
      const frame = (data: Buffer) =>
        framing === 'chunked'
          ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])
          : data;
      for (let sent = 0; sent < size && !socket.destroyed; sent += chunk.length) {
        const ok = socket.write(frame(chunk), (e) => {
          if (e) writeError = (e as NodeJS.ErrnoException).code;
        });
        if (!ok) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
      }
      if (framing === 'chunked' && !socket.destroyed) socket.write('0\r\n\r\n');
      const got = await response;
      socket.destroy();
      expect(writeError, framing).toBeUndefined();
      expect(got.split('\r\n')[0], framing).toBe('HTTP/1.1 413 Payload Too Large');
      expect(got.slice(got.indexOf('\r\n\r\n') + 4), framing).toBe(
        '{"detail":"Request body is larger than the limit of 1048576 bytes"}',
      );
    }
  });
});

describe('slow clients', () => {
  it('cuts off a body trickled a byte every 2 s (408) within MCP_MESH_REQUEST_TIMEOUT, and headers too', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_REQUEST_TIMEOUT: '3' } });
    const body = await open(registry.baseUrl);
    const bodyEnded = collect(body, 20_000);
    body.write(
      'POST /heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n',
    );
    const trickle = setInterval(() => {
      if (!body.destroyed) body.write('{');
    }, 2000);
    const headers = await open(registry.baseUrl);
    const headersEnded = collect(headers, 20_000);
    headers.write('GET /health HTTP/1.1\r\n');
    const trickleHeaders = setInterval(() => {
      if (!headers.destroyed) headers.write('x-a: b\r\n');
    }, 2000);
    const [bodyResult, headersResult] = await Promise.all([bodyEnded, headersEnded]);
    clearInterval(trickle);
    clearInterval(trickleHeaders);
    for (const result of [bodyResult, headersResult]) {
      expect(result.error).not.toBe('still open');
      expect(result.text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      expect(result.elapsedMs).toBeLessThan(6000);
    }
    // The registry still answers.
    expect((await send(registry.baseUrl, { path: '/health' })).status).toBe(200);
  });

  it('cuts off slow bodies within 30 s by default', async () => {
    await using registry = await startRegistry();
    const server = registry.app.server;
    expect(server.requestTimeout).toBe(30_000);
    expect(server.headersTimeout).toBeLessThanOrEqual(30_000);
    expect(server.maxConnections).toBe(10_000);
  });

  it('refuses connections over MCP_MESH_MAX_CONNECTIONS and serves again when they close', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_MAX_CONNECTIONS: '3' } });
    const held = await Promise.all([0, 1, 2].map(() => open(registry.baseUrl)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = await open(registry.baseUrl);
    const extraResult = await collect(extra, 5000);
    expect(extraResult.error).not.toBe('still open');
    expect(extraResult.text).toBe('');
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await send(registry.baseUrl, { path: '/health' })).status).toBe(200);
  });
});

/**
 * A small MCP-like agent over HTTP (or HTTPS) on 127.0.0.1 for the registry proxy's tests: it
 * answers JSON-RPC on `POST /mcp` (`tools/list` with one tool `echo`, `tools/call` echoing its
 * arguments) and has paths that stream, stall or never end, and it records what reached it.
 */
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The subject CN of the client certificate, on HTTPS. */
  clientCertCn?: string;
}

export interface TestAgent extends AsyncDisposable {
  port: number;
  seen: SeenRequest[];
  /** Resolves with the first request to `url` (now or later). */
  arrived(url: string): Promise<SeenRequest>;
  /** Resolves when the connection of a request to `url` closed before its answer was complete. */
  abandoned(url: string): Promise<void>;
  /** Lets `/mcp/sse` send its second event and end. */
  releaseSse(): void;
}

export const ECHO_TOOL = {
  name: 'echo',
  description: 'Echo the arguments back.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};

function jsonRpc(body: string): unknown {
  let rpc: { id?: unknown; method?: string; params?: { arguments?: unknown } };
  try {
    rpc = JSON.parse(body);
  } catch {
    return { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };
  }
  if (rpc.method === 'tools/list') return { jsonrpc: '2.0', id: rpc.id, result: { tools: [ECHO_TOOL] } };
  if (rpc.method === 'tools/call') {
    const text = JSON.stringify(rpc.params?.arguments ?? {});
    return { jsonrpc: '2.0', id: rpc.id, result: { content: [{ type: 'text', text }], isError: false } };
  }
  return { jsonrpc: '2.0', id: rpc.id, result: { echo: body } };
}

export async function startTestAgent(
  options: { tls?: { key: Buffer; cert: Buffer; ca: Buffer } } = {},
): Promise<TestAgent> {
  const seen: SeenRequest[] = [];
  const waiting: { url: string; resolve: (r: SeenRequest) => void }[] = [];
  const abandonedUrls: string[] = [];
  const abandonWaiters: { url: string; resolve: () => void }[] = [];
  let releaseSse!: () => void;
  const sseReleased = new Promise<void>((resolve) => (releaseSse = resolve));
  const timers = new Set<NodeJS.Timeout>();

  const noteAbandoned = (url: string) => {
    abandonedUrls.push(url);
    for (const w of abandonWaiters.filter((x) => x.url === url)) w.resolve();
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const socket = req.socket as Partial<TLSSocket>;
    const cn = socket.getPeerCertificate?.()?.subject?.CN;
    const request: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    if (cn) request.clientCertCn = String(cn);
    seen.push(request);
    for (const w of waiting.filter((x) => x.url === request.url)) w.resolve(request);
    res.on('close', () => {
      if (!res.writableFinished) noteAbandoned(request.url);
    });
    switch (request.url) {
      case '/mcp':
      case '/mcp/': {
        const answer = JSON.stringify(req.method === 'GET' ? { method: 'GET' } : jsonRpc(body));
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': ['a=1', 'b=2'],
          'x-agent': 'test-agent',
          'x-private': 'named by Connection, so hop-by-hop',
          connection: 'keep-alive, x-private',
          'keep-alive': 'timeout=5',
        });
        res.end(answer);
        return;
      }
      case '/mcp/created':
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"created":true}');
        return;
      case '/mcp/sse':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"part":1}}\n\n');
        void sseReleased.then(() => {
          res.end('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"part":2}}\n\n');
        });
        return;
      case '/mcp/forever': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: message\ndata: {"started":true}\n\n');
        const timer = setInterval(() => res.write(': ping\n\n'), 100);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/mcp/slow':
        // Never answers: the proxy's budget, or the caller leaving, must end it.
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such path');
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  };
  const server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.ca,
          requestCert: true,
          rejectUnauthorized: true,
        },
        listener,
      )
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    seen,
    arrived(url) {
      const done = seen.find((r) => r.url === url);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiting.push({ url, resolve }));
    },
    abandoned(url) {
      if (abandonedUrls.includes(url)) return Promise.resolve();
      return new Promise((resolve) => abandonWaiters.push({ url, resolve }));
    },
    releaseSse: () => releaseSse(),
    async [Symbol.asyncDispose]() {
      releaseSse();
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

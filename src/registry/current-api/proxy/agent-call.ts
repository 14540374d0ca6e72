import {
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { describeError } from '../../../shared/errors.js';
import { isEventStream, relayedResponseHeaders } from './proxy-headers.js';
import type { AgentEndpoint } from './proxy-target.js';

/** One call through the proxy: where, what, and within which limits. */
export interface AgentCallOptions {
  method: 'GET' | 'POST';
  endpoint: AgentEndpoint;
  /** The path on the agent, already encoded. */
  path: string;
  headers: OutgoingHttpHeaders;
  /** The caller's body, streamed to the agent (POST only). */
  body: Readable | undefined;
  bodyLimitBytes: number;
  /** The whole exchange, answer body included, must end within it. */
  budgetSeconds: number;
  /** Present for an https endpoint. */
  tls: Pick<ConnectionOptions, 'secureContext' | 'checkServerIdentity' | 'rejectUnauthorized'> | undefined;
  log: { warn(fields: object, message: string): void };
}

export type AgentCallOutcome =
  /** The agent answered: its status and headers, and its body as it arrives. */
  | { kind: 'answer'; status: number; headers: Record<string, string | string[]>; body: Readable }
  /** No answer (refused, reset, TLS failure, budget spent before the headers): 502. */
  | { kind: 'unreachable'; message: string }
  /** The caller's body passed the limit before the agent answered: 413. */
  | { kind: 'body-too-large' };

export interface AgentCall {
  outcome: Promise<AgentCallOutcome>;
  /** The caller went away: stop the call to the agent, whatever state it is in. */
  abort(): void;
}

/**
 * The SSE comment that ends a stream cut by its budget; meshctl recognises it and reports a
 * timeout (upstream's `mesh-proxy-timeout` marker, a comment so other SSE clients ignore it).
 */
export function timeoutMarker(budgetSeconds: number): string {
  return `\n: mesh-proxy-timeout budget=${budgetSeconds}s\n\n`;
}

/** A deadline that struck before the agent's headers, in upstream's words. */
const AWAITING_HEADERS = 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';

function hostText(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Why the agent could not be reached; a refused connection in upstream's words. */
function reasonOf(error: unknown): string {
  const failure = error as { code?: string; address?: string; port?: number; errors?: unknown[] };
  if (failure.code === 'ECONNREFUSED') {
    const first = (failure.address ? failure : failure.errors?.[0]) as typeof failure | undefined;
    if (first?.address)
      return `dial tcp ${hostText(first.address)}:${first.port}: connect: connection refused`;
  }
  return describeError(error);
}

/**
 * Calls the agent and relays its answer as it comes: the caller's body streamed to the agent (and
 * counted against the limit), the agent's body piped to the caller with backpressure, so neither
 * side is ever held in memory whole. One timer bounds the whole exchange; when it strikes after the
 * headers, an SSE answer ends with the timeout marker and any other answer just ends, as upstream
 * does. A fresh connection per call: a pooled one could be half-closed by the agent (uvicorn
 * closes idle connections after 5 s) and a POST cannot be retried safely.
 */
export function callAgent(options: AgentCallOptions): AgentCall {
  const { endpoint, path, method } = options;
  const url = `${endpoint.scheme}://${hostText(endpoint.host)}:${endpoint.port}${path}`;
  const verb = method === 'GET' ? 'Get' : 'Post';
  let settle!: (outcome: AgentCallOutcome) => void;
  let isSettled = false;
  const outcome = new Promise<AgentCallOutcome>((resolve) => {
    settle = (value) => {
      if (isSettled) return;
      isSettled = true;
      resolve(value);
    };
  });
  let answer: IncomingMessage | undefined;
  let relay: PassThrough | undefined;
  let isOver = false;

  const upstream: ClientRequest = (endpoint.scheme === 'https' ? httpsRequest : httpRequest)({
    host: endpoint.host,
    port: endpoint.port,
    method,
    path,
    headers: options.headers,
    agent: false,
    ...options.tls,
  });

  const finish = () => {
    isOver = true;
    clearTimeout(timer);
  };

  const timer = setTimeout(() => {
    if (isOver) return;
    finish();
    if (!answer || !relay) {
      settle({
        kind: 'unreachable',
        message: `Failed to reach target agent: ${verb} "${url}": ${AWAITING_HEADERS}`,
      });
      upstream.destroy();
      return;
    }
    options.log.warn({ url, budgetSeconds: options.budgetSeconds }, 'proxy answer cut by its time budget');
    answer.unpipe(relay);
    answer.destroy();
    relay.end(
      isEventStream(answer.headers['content-type']) ? timeoutMarker(options.budgetSeconds) : undefined,
    );
  }, options.budgetSeconds * 1000);

  upstream.on('error', (error) => {
    if (isOver) return;
    finish();
    settle({
      kind: 'unreachable',
      message: `Failed to reach target agent: ${verb} "${url}": ${reasonOf(error)}`,
    });
  });

  upstream.on('response', (res) => {
    if (isOver) {
      res.destroy();
      return;
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 599) {
      finish();
      res.destroy();
      upstream.destroy();
      settle({
        kind: 'unreachable',
        message: `Failed to reach target agent: ${verb} "${url}": invalid status ${status}`,
      });
      return;
    }
    answer = res;
    relay = new PassThrough();
    const stream = relay;
    res.pipe(stream);
    res.on('end', finish);
    res.on('close', () => {
      if (res.complete || isOver) return;
      // The agent went away mid-answer: end what the caller has (upstream does the same).
      finish();
      options.log.warn({ url }, 'proxy answer ended early: the agent closed the connection');
      res.unpipe(stream);
      stream.end();
    });
    settle({
      kind: 'answer',
      status,
      headers: relayedResponseHeaders(res.headersDistinct, res.headers),
      body: stream,
    });
  });

  sendBody(options, upstream, () => {
    if (isOver) return;
    finish();
    settle({ kind: 'body-too-large' });
    upstream.destroy();
  });

  return {
    outcome,
    abort() {
      finish();
      upstream.destroy();
      answer?.destroy();
      settle({
        kind: 'unreachable',
        message: `Failed to reach target agent: ${verb} "${url}": the caller went away`,
      });
    },
  };
}

/** Streams the caller's body to the agent, pausing while the agent is slower to read it. */
function sendBody(options: AgentCallOptions, upstream: ClientRequest, onTooLarge: () => void): void {
  const body = options.body;
  if (!body) {
    upstream.end();
    return;
  }
  let size = 0;
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > options.bodyLimitBytes) {
      body.pause();
      onTooLarge();
      return;
    }
    if (!upstream.write(chunk)) body.pause();
  });
  upstream.on('drain', () => body.resume());
  body.on('end', () => upstream.end());
  // The caller's connection broke while sending: the agent must not act on half a request.
  body.on('error', () => upstream.destroy());
  body.on('aborted', () => upstream.destroy());
}

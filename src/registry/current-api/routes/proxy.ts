import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { isoNanosZ, nowMicros } from '../../../shared/clock.js';
import { MeshError } from '../../../shared/errors.js';
import { sendJson, sendJsonAs } from '../../http/replies.js';
import { callAgent } from '../proxy/agent-call.js';
import { AgentTls, ProxyTlsError } from '../proxy/agent-tls.js';
import { budgetSeconds, forwardedRequestHeaders } from '../proxy/proxy-headers.js';
import { findAgentEndpoint, parseProxyTarget } from '../proxy/proxy-target.js';
import { CurrentErrorReply } from '../schemas/current-heartbeat.js';

const ProxyParams = Type.Object({
  '*': Type.String({ description: '`<host>:<port>/mcp[/...]`: an agent as it registered, and its MCP path' }),
});

const RelayedAnswer = Type.Unknown({
  description:
    "The agent's answer as it comes: its status, headers (hop-by-hop ones dropped) and body, SSE streamed",
});

function errorBody(error: string) {
  return { error, timestamp: isoNanosZ(nowMicros()) };
}

/** Every error of this context in the Go registry's shape, `{"error", "timestamp"}`. */
function useProxyErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return sendJsonAs(reply, status, CurrentErrorReply, errorBody(error.message));
    }
    if (error instanceof MeshError && status === 503) {
      return sendJsonAs(reply.header('retry-after', '1'), 503, CurrentErrorReply, errorBody(error.message));
    }
    request.log.error({ err: error }, 'proxy request failed');
    return sendJsonAs(reply, 500, CurrentErrorReply, errorBody('Internal Server Error'));
  });
}

/**
 * `GET|POST /proxy/<host>:<port>/mcp[/...]`: `meshctl call` and `meshctl list --tools=<tool>` reach
 * agents through the registry (upstream's operational route, outside its OpenAPI document). Only
 * to agents the registry knows and only their MCP paths; the answer is relayed as it comes.
 */
export const proxyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useProxyErrors(app);
  const limit = app.config.bodyLimitBytes;
  const agentTls = new AgentTls({
    ca: app.config.tlsCaFile,
    cert: app.config.tlsCertFile,
    key: app.config.tlsKeyFile,
  });
  // The caller's body goes to the agent as a stream, unparsed; the call counts it against the limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.route({
    method: ['GET', 'POST'],
    url: '/proxy/*',
    schema: {
      summary: "Call an agent's MCP endpoint through the registry (meshctl call)",
      tags: ['proxy'],
      params: ProxyParams,
      response: {
        200: RelayedAnswer,
        400: CurrentErrorReply,
        403: CurrentErrorReply,
        413: CurrentErrorReply,
        500: CurrentErrorReply,
        502: CurrentErrorReply,
      },
    },
    handler: async (request, reply) => {
      const target = parseProxyTarget(request.raw.url ?? '');
      if ('error' in target) return sendJson(reply, 400, errorBody(target.error));
      const endpoint = findAgentEndpoint(app.store.listAgents(), target.hostPort);
      if (!endpoint) {
        return sendJson(reply, 403, errorBody(`Target host '${target.hostPort}' is not a registered agent`));
      }
      let tls: Awaited<ReturnType<AgentTls['options']>> | undefined;
      if (endpoint.scheme === 'https') {
        try {
          tls = await agentTls.options();
        } catch (error) {
          if (!(error instanceof ProxyTlsError)) throw error;
          request.log.error({ err: error.cause ?? error }, error.message);
          return sendJson(reply, 500, errorBody(error.message));
        }
      }
      const method = request.method === 'POST' ? 'POST' : 'GET';
      if (method === 'POST' && Number(request.headers['content-length'] ?? 0) > limit)
        return tooLarge(reply, limit);
      const body = method === 'POST' && isReadable(request.body) ? request.body : undefined;
      const call = callAgent({
        method,
        endpoint,
        path: target.path,
        headers: forwardedRequestHeaders(
          request.raw.headersDistinct,
          request.headers,
          app.config.propagateHeaders,
        ),
        body,
        bodyLimitBytes: limit,
        budgetSeconds: budgetSeconds(
          request.raw.headersDistinct['x-mesh-timeout']?.[0],
          app.config.proxyTimeoutSeconds,
        ),
        tls,
        log: request.log,
      });
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) call.abort();
      });
      const outcome = await call.outcome;
      if (outcome.kind === 'body-too-large') return tooLarge(reply, limit);
      if (outcome.kind === 'unreachable') return sendJson(reply, 502, errorBody(outcome.message));
      // Any status the agent answered (200-599), not only the ones documented above.
      return (reply as FastifyReply).code(outcome.status).headers(outcome.headers).send(outcome.body);
    },
  });
};

function isReadable(value: unknown): value is Readable {
  return value instanceof Readable;
}

/** Larger than `MCP_MESH_MAX_BODY_BYTES` (upstream has no limit); the connection closes after. */
function tooLarge(reply: FastifyReply, limit: number): FastifyReply {
  return sendJsonAs(
    reply.header('connection', 'close'),
    413,
    CurrentErrorReply,
    errorBody(`Request body is larger than the limit of ${limit} bytes`),
  );
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendJson } from '../../http/replies.js';
import { useHeartbeatErrors } from '../invalid-heartbeat.js';

const TracingOff = Type.Object({ enabled: Type.Boolean(), reason: Type.String() });
const TracingOffInfo = Type.Object({ config: Type.String(), enabled: Type.Boolean(), reason: Type.String() });
const NoTrace = Type.Object({ enabled: Type.Boolean(), error: Type.String() });

const OFF = { enabled: false, reason: 'tracing not initialized' } as const;

/**
 * `/trace/*`: this registry does not collect distributed traces, so it answers as the Go registry
 * does with tracing off (its default): `meshctl` and dashboards see "not enabled", not a 404.
 */
export const traceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useHeartbeatErrors(app);
  const tags = ['trace'];
  app.get(
    '/trace/status',
    { schema: { summary: 'Tracing status: off', tags, response: { 200: TracingOff } } },
    async (_request, reply) => sendJson(reply, 200, OFF),
  );
  app.get(
    '/trace/stats',
    { schema: { summary: 'Tracing statistics: off', tags, response: { 200: TracingOff } } },
    async (_request, reply) => sendJson(reply, 200, OFF),
  );
  app.get(
    '/trace/info',
    { schema: { summary: 'Tracing configuration: off', tags, response: { 200: TracingOffInfo } } },
    async (_request, reply) =>
      sendJson(reply, 200, { config: 'MCP_MESH_DISTRIBUTED_TRACING_ENABLED=false', ...OFF }),
  );
  app.get(
    '/trace/:trace_id',
    {
      schema: {
        summary: 'One trace: none are kept',
        tags,
        params: Type.Object({ trace_id: Type.String() }),
        response: { 404: NoTrace },
      },
    },
    async (_request, reply) => sendJson(reply, 404, { enabled: false, error: 'tracing not enabled' }),
  );
};

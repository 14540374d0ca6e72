import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isoNanosZ, nowMicros } from '../../../shared/clock.js';
import { sendGoJson } from '../../http/replies.js';
import { useHeartbeatErrors } from '../invalid-heartbeat.js';
import { CurrentErrorReply } from '../schemas/current-heartbeat.js';
import { SchemaEntriesReply, SchemaEntryReply, schemaEntryView } from '../views/schema-entry-view.js';
import { BindErrorReply, bindInteger, repeatedParameterError } from './query-binding.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** A string, as sent: the handler binds it as the Go registry does (its errors, its clamping). */
const SchemasQuery = Type.Object({
  limit: Type.Optional(Type.String({ description: `Default ${DEFAULT_LIMIT}, clamped to 1..${MAX_LIMIT}` })),
});

const HashParams = Type.Object({ hash: Type.String({ description: 'The content hash (sha256:<hex>)' }) });

/**
 * `GET /schemas` and `GET /schemas/{hash}`: the schema catalogue (canonical schemas that agents
 * sent with their tools, kept once per hash), read from the database so that every replica serves
 * what any replica stored. What `meshctl list --schemas` and `meshctl schema diff` read. Bodies
 * are written as the Go registry writes them (keys in byte order, HTML characters escaped).
 */
export const schemaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useHeartbeatErrors(app);
  const tags = ['schemas'];
  app.get(
    '/schemas',
    {
      schema: {
        summary: 'The canonical schemas agents registered, newest first',
        tags,
        querystring: SchemasQuery,
        response: { 200: SchemaEntriesReply, 400: BindErrorReply },
      },
    },
    async (request, reply) => {
      const repeated = repeatedParameterError(request.url, ['limit']);
      if (repeated !== undefined) return sendGoJson(reply, 400, { msg: repeated });
      const limit = bindInteger('limit', request.query.limit);
      if (typeof limit === 'string') return sendGoJson(reply, 400, { msg: limit });
      const entries = await app.store.listSchemas(Math.min(Math.max(limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT));
      return sendGoJson(reply, 200, { count: entries.length, schemas: entries.map(schemaEntryView) });
    },
  );
  app.get(
    '/schemas/:hash',
    {
      schema: {
        summary: 'One canonical schema by its content hash',
        tags,
        params: HashParams,
        response: { 200: SchemaEntryReply, 404: CurrentErrorReply },
      },
    },
    async (request, reply) => {
      const { hash } = request.params;
      const entry = await app.store.getSchema(hash);
      if (entry === undefined) {
        return sendGoJson(reply, 404, {
          error: `schema not found: ${hash}`,
          timestamp: isoNanosZ(nowMicros()),
        });
      }
      return sendGoJson(reply, 200, schemaEntryView(entry));
    },
  );
};

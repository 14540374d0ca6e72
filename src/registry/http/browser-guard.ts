import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistryConfig } from '../../shared/config.js';
import { appWide } from './app-wide.js';
import { isGrantedOrigin } from './cors.js';
import { sendJsonText } from './replies.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The content types a browser sends across origins without a preflight (the CORS-safelisted ones). */
const SIMPLE_CONTENT_TYPES = new Set([
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
]);

function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * Whether a web page of another origin sent the request, and no granted one: its `Origin` is
 * neither the registry's own (same host and port as `Host`) nor one of `MCP_MESH_CORS_ORIGIN`;
 * without `Origin`, a `Sec-Fetch-Site` other than `same-origin` or `none` (user-initiated) says so.
 */
function isForeignPage(request: FastifyRequest, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (isGrantedOrigin(origin, corsOrigins)) return false;
    try {
      return new URL(origin).host !== (request.headers.host ?? '').toLowerCase();
    } catch {
      return true; // `null` (sandboxed frames, file: pages) and anything unparsable
    }
  }
  const site = request.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/**
 * What a web page the developer opens may not do: write to the registry from another origin
 * (403, whatever the content type: a body-less POST or a DELETE too), or change state with a
 * body a browser sends across origins without a preflight (`text/plain`, forms, multipart: 415).
 * Agents, meshctl and curl send `application/json` or nothing, and no `Origin`.
 */
export const browserGuard = appWide<{ config: Readonly<RegistryConfig> }>(
  'browser-guard',
  async (app: FastifyInstance, { config }) => {
    app.addHook('onRequest', (request, reply, done) => {
      if (!STATE_CHANGING.has(request.method)) {
        done();
        return;
      }
      if (isForeignPage(request, config.corsOrigins)) {
        sendJsonText(reply, 403, '{"detail":"Cross-origin writes are not allowed"}');
        return;
      }
      const contentType = request.headers['content-type'];
      if (contentType !== undefined && SIMPLE_CONTENT_TYPES.has(mediaType(contentType))) {
        sendJsonText(
          reply,
          415,
          JSON.stringify({
            detail: `Content-Type ${mediaType(contentType)} is not accepted on ${request.method}: send application/json`,
          }),
        );
        return;
      }
      done();
    });
  },
);

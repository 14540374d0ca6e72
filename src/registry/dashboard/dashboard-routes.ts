import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { GRAPH_SCRIPT } from './assets/graph-script.js';
import { MAIN_SCRIPT } from './assets/main-script.js';
import { DASHBOARD_HTML } from './assets/page.js';
import { DASHBOARD_CSS } from './assets/styles.js';

/**
 * What the dashboard's page may load and run: its own script, style sheet and requests only (no
 * inline code, no other origin, no frames around it).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SCRIPT = `${GRAPH_SCRIPT}\n${MAIN_SCRIPT}`;

function sendAsset(reply: FastifyReply, contentType: string, body: string): FastifyReply {
  return reply
    .header('content-type', contentType)
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(body);
}

/**
 * The dashboard at `/ui`: one page, its style sheet and its script, all held in the package
 * (no CDN, no second server). The page reads the registry's own API (`GET /agents`,
 * `GET /events`) and listens to `GET /events/stream`; same-origin GETs, so the Host check and
 * the browser guard stand as they are.
 */
export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const hidden = { schema: { hide: true } };
  const page = (_request: unknown, reply: FastifyReply) =>
    sendAsset(reply, 'text/html; charset=utf-8', DASHBOARD_HTML);
  app.get('/ui', hidden, page);
  app.get('/ui/', hidden, page);
  app.get('/ui/dashboard.css', hidden, (_request, reply) =>
    sendAsset(reply, 'text/css; charset=utf-8', DASHBOARD_CSS),
  );
  app.get('/ui/dashboard.js', hidden, (_request, reply) =>
    sendAsset(reply, 'text/javascript; charset=utf-8', SCRIPT),
  );
};

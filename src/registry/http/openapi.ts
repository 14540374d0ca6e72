import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';
import { sendJsonText } from './replies.js';

/**
 * The OpenAPI document, generated from the route schemas that also validate the requests, at
 * `/openapi.json` (title, version and description of the original, spec §4.11), and Swagger UI
 * at `/docs` with its assets served from the package, never from a CDN.
 */
export const openApi = appWide('openapi', async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'MCP Mesh Registry Service',
        version: '1.0.0',
        description: 'Service discovery and registration for MCP agents',
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { url: '/openapi.json' },
    staticCSP: true,
    uiHooks: {},
  });
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) =>
    sendJsonText(reply, 200, JSON.stringify(app.swagger())),
  );
});

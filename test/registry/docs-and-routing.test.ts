import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

describe('documentation and routing', () => {
  it('serves Swagger UI at /docs with its assets from the package', async () => {
    await using registry = await startRegistry();
    const page = await send(registry.baseUrl, { path: '/docs/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('swagger-ui');
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const bundle = await send(registry.baseUrl, { path: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.status).toBe(200);
    // A missing asset is a 404, not a 405 (its route serves GET; the file is what is missing).
    const missing = await send(registry.baseUrl, { path: '/docs/static/missing.js' });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ detail: 'Not Found' });
    expect((await send(registry.baseUrl, { method: 'POST', path: '/docs/static/missing.js' })).status).toBe(
      405,
    );
  });

  it('documents every legacy route in /openapi.json from the validating schemas', async () => {
    await using registry = await startRegistry();
    const doc = JSON.parse((await send(registry.baseUrl, { path: '/openapi.json' })).body);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/',
        '/health',
        '/health/{agent_id}',
        '/heartbeat',
        '/agents',
        '/agents/register_with_metadata',
        '/capabilities',
        '/metrics',
        '/metrics/prometheus',
      ]),
    );
    const register = doc.paths['/agents/register_with_metadata'].post;
    expect(JSON.stringify(register.requestBody)).toContain('agent_id');
  });

  it('redirects a trailing slash keeping the query string', async () => {
    // A loopback registry answers other host names only when allowed (browser-safety.test.ts).
    await using registry = await startRegistry({ env: { MCP_MESH_ALLOWED_HOSTS: 'example.test' } });
    const res = await send(registry.baseUrl, {
      path: '/agents/?status=pending',
      headers: { host: 'example.test:1' },
    });
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe('http://example.test:1/agents?status=pending');
  });

  it('lets the last of repeated query parameters win', async () => {
    await using registry = await startRegistry();
    const res = await send(registry.baseUrl, { path: '/agents?fuzzy_match=maybe&fuzzy_match=true' });
    expect(res.status).toBe(200);
  });
});

/**
 * The dashboard's files as the registry serves them at `/ui`: from the package (nothing loaded
 * from another origin), under a Content-Security-Policy that allows only the registry's own
 * script, style sheet and requests (so the page has no inline code), a script that parses, and
 * the same Host check as every other route. The page itself is tested in a real browser in
 * test/e2e/dashboard.test.ts.
 */
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

describe('GET /ui', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.[Symbol.asyncDispose]();
  });

  it('serves the page, its style sheet and its script from the package, each under the CSP', async () => {
    const files = {
      '/ui': 'text/html; charset=utf-8',
      '/ui/': 'text/html; charset=utf-8',
      '/ui/dashboard.css': 'text/css; charset=utf-8',
      '/ui/dashboard.js': 'text/javascript; charset=utf-8',
    };
    for (const [path, type] of Object.entries(files)) {
      const response = await send(registry.baseUrl, { path });
      expect(response.status, path).toBe(200);
      expect(response.headers['content-type'], path).toBe(type);
      expect(response.headers['content-security-policy'], path).toBe(CSP);
      expect(response.headers['x-content-type-options'], path).toBe('nosniff');
      // Nothing from another origin (the SVG namespace is a name, not a load).
      expect(response.body.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
    }
  });

  it('has no inline script or style, which its CSP would block', async () => {
    const page = (await send(registry.baseUrl, { path: '/ui' })).body;
    expect(page).toContain('<script type="module" src="/ui/dashboard.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/ui/dashboard.css">');
    expect(page.match(/<script\b[^>]*>[^<]+<\/script>/)).toBeNull();
    expect(page).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('serves a script that parses, and writes what agents sent as text only', async () => {
    const script = (await send(registry.baseUrl, { path: '/ui/dashboard.js' })).body;
    expect(() => new Script(script)).not.toThrow();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it('is answered under the Host check like any route, and is not in the OpenAPI document', async () => {
    const rebound = { headers: { host: 'attacker.example:8000' } };
    const page = await send(registry.baseUrl, { path: '/ui', ...rebound });
    const listing = await send(registry.baseUrl, { path: '/agents', ...rebound });
    expect(listing.status).not.toBe(200);
    expect(page.status).toBe(listing.status);
    const document = JSON.parse((await send(registry.baseUrl, { path: '/openapi.json' })).body) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/ui'))).toEqual([]);
    expect(Object.keys(document.paths)).toContain('/events/stream');
  });
});

import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { send } from '../helpers/http-request.js';
import { spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl } from '../helpers/test-database.js';

const AGENT_ID = 'banner-agent';

/** A request the route accepts, for the POST routes the banner may name (keyed by path). */
const VALID_BODIES: Record<string, unknown> = {
  '/agents/register_with_metadata': {
    agent_id: AGENT_ID,
    metadata: {},
    timestamp: '2025-06-08T10:00:00.000000',
  },
  '/heartbeat': { agent_id: AGENT_ID, status: 'healthy', metadata: {} },
};

describe('the startup banner', () => {
  it('advertises only URLs that answer', async () => {
    using dir = tempDir();
    // A fixed port: the banner prints the --port value as given, so port 0 would not be reachable.
    const port = await freePort();
    await using registry = await spawnRegistry(['--host', '127.0.0.1', '--port', String(port)], {
      MCP_MESH_DATABASE_URL: await freshDatabaseUrl(dir.path),
    });
    const banner = registry.stdout().slice(0, registry.stdout().indexOf('-'.repeat(60)));
    expect(banner).toContain('🚀 Starting MCP Mesh Registry Service\n');

    // Absolute URLs anywhere in the banner (server, and any endpoint line such as an MCP one) …
    const urls = [...banner.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
    // … and the listed routes, `METHOD /path`, with their placeholders filled in.
    const routes = [...banner.matchAll(/^ +(GET|POST|PUT|DELETE|HEAD) +(\/\S*)/gm)].map((m) => ({
      method: m[1]!,
      path: m[2]!,
    }));
    expect(urls).toContain(`http://127.0.0.1:${port}`);
    expect(routes.length).toBe(8);

    // Registration first, so that the agent the placeholders name exists.
    const isRegistration = (route: { path: string }) => route.path === '/agents/register_with_metadata';
    routes.sort((a, b) => Number(isRegistration(b)) - Number(isRegistration(a)));
    const answers: string[] = [];
    for (const url of urls) {
      const res = await send(url, { path: new URL(url).pathname });
      // Shown in the failure message: an advertised URL that answers 404 is a false promise.
      answers.push(`GET ${url} ${res.status}`);
    }
    for (const { method, path } of routes) {
      const concrete = path.replace('{agent_id}', AGENT_ID);
      const body = VALID_BODIES[path];
      expect(method === 'POST' ? body : {}, `no request body known for ${method} ${path}`).toBeDefined();
      const res = await send(registry.baseUrl, {
        method,
        path: concrete,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      answers.push(`${method} ${path} ${res.status}`);
    }
    // Every advertised URL answers with success (a 404 would be a false promise).
    expect(answers.filter((line) => !/ 2\d\d$/.test(line))).toEqual([]);
  });
});

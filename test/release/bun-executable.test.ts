// The registry's Bun single executable (scripts/release/bun-executable.ts), built for linux-x64
// and run as a user would: no Node or Bun on PATH, a temp SQLite file, and a working directory
// holding a .env that Bun would load by default.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { launchRegistry, runToEnd } from './launch.js';

const NODE_24 = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
const NO_RUNTIME = { PATH: '/usr/bin:/bin' };
const out = tempDir('mesh-bun-executable-');
const registry = join(out.path, 'linux-x64', 'mcp-mesh-registry');

beforeAll(() => {
  execFileSync(
    NODE_24,
    [join(REPO_ROOT, 'scripts', 'release', 'bun-executable.ts'), '--targets', 'linux-x64', '--out', out.path],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}, 300_000);
afterAll(() => out[Symbol.dispose]());

describe('the Bun single executable of the registry (linux-x64)', () => {
  it('prints its version without any runtime installed', async () => {
    expect(await runToEnd(registry, ['--version'], NO_RUNTIME)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('MCP Mesh Registry Service v0.1.0'),
    });
  });

  it('registers and lists an agent, serves Swagger UI from inside itself, and reads no .env', async () => {
    const work = join(out.path, 'work');
    mkdirSync(work);
    const elsewhere = join(out.path, 'from-dotenv.db');
    writeFileSync(join(work, '.env'), `MCP_MESH_DATABASE_URL=sqlite://${elsewhere}\n`);
    await using running = await launchRegistry(
      registry,
      ['--host', '127.0.0.1', '--port', '0'],
      NO_RUNTIME,
      30_000,
      { cwd: work },
    );
    const heartbeat = await fetch(`${running.baseUrl}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        agent_id: 'bun-check',
        name: 'bun-check',
        http_host: '127.0.0.1',
        http_port: 9,
        tools: [],
      }),
    });
    expect(heartbeat.status).toBe(200);
    const listed = (await (await fetch(`${running.baseUrl}/agents`)).json()) as {
      agents: { name: string }[];
    };
    expect(listed.agents.map((agent) => agent.name)).toEqual(['bun-check']);
    const logo = await fetch(`${running.baseUrl}/docs/static/logo.svg`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    expect(await logo.text()).toContain('<svg');
    const css = await fetch(`${running.baseUrl}/docs/static/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect((await css.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${running.baseUrl}/docs/static/oauth2-redirect.html`)).status).toBe(404);
    // The default database, in the working directory: the .env was not read.
    expect(existsSync(elsewhere)).toBe(false);
    expect(existsSync(join(work, 'mcp_mesh_registry.db'))).toBe(true);
  });
});

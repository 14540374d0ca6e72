import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postJson } from '../helpers/http-request.js';
import { runRegistry, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('the mcp-mesh-registry executable', () => {
  it('prints the exact version text and exits 0 without touching a database', async () => {
    using dir = tempDir();
    const result = await runRegistry(['--version'], {
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'v.db')}`,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'MCP Mesh Registry Service v0.1.0\nBuilt on FastMCP and Kubernetes API Server patterns\n',
    );
    expect(existsSync(join(dir.path, 'v.db'))).toBe(false);
  });

  it('prints help for -h and --help', async () => {
    for (const flag of ['-h', '--help']) {
      const result = await runRegistry([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^usage: mcp-mesh-registry \[-h\] \[--host HOST\] \[--port PORT\] \[--version\]/,
      );
    }
  });

  it.each([
    [['--bogus'], 'unrecognized arguments: --bogus'],
    [['--port', 'abc'], "argument --port: invalid int value: 'abc'"],
    [['--port'], 'argument --port: expected one argument'],
    [['--port', '99999'], 'argument --port: 99999 is not a port number (0-65535)'],
    [['--port=-1'], 'argument --port: -1 is not a port number (0-65535)'],
    [['extra'], 'unrecognized arguments: extra'],
  ])("rejects %j with argparse's message and exit code 2", async (args, message) => {
    const result = await runRegistry(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `usage: mcp-mesh-registry [-h] [--host HOST] [--port PORT] [--version]\nmcp-mesh-registry: error: ${message}\n`,
    );
  });

  it('accepts unambiguous prefixes of flags as argparse does', async () => {
    const result = await runRegistry(['--vers']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('v0.1.0');
  });

  it('prints the banner, honours MCP_MESH_DATABASE_URL and exits 0 on SIGTERM', async () => {
    using dir = tempDir();
    const db = join(dir.path, 'mesh.db');
    const registry = await spawnRegistry(['--host', '127.0.0.1', '--port', '0'], {
      MCP_MESH_DATABASE_URL: `sqlite://${db}`,
    });
    const res = await postJson(registry.baseUrl, '/agents/register_with_metadata', {
      agent_id: 'a',
      metadata: {},
      timestamp: 't',
    });
    expect(res.status).toBe(201);
    expect(existsSync(db)).toBe(true);
    registry.child.kill('SIGTERM');
    expect(await registry.exited).toBe(0);
    expect(registry.stdout()).toContain(
      '🚀 Starting MCP Mesh Registry Service\n📡 Server: http://127.0.0.1:0\n',
    );
    expect(registry.stdout()).toContain(`${'-'.repeat(60)}\n`);
    expect(registry.stdout()).toContain('✅ Registry service stopped');
    expect(registry.stderr()).toContain('INFO:     Application shutdown complete.');
    // Access lines are off in this process (MCP_MESH_ACCESS_LOG=false).
    expect(registry.stdout()).not.toContain('"POST ');
  });

  it('exits 0 on SIGINT too', async () => {
    using dir = tempDir();
    const registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'i.db')}`,
    });
    registry.child.kill('SIGINT');
    expect(await registry.exited).toBe(0);
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    using dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runRegistry(['--host', '127.0.0.1', '--port', String(port)], {
        MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'p.db')}`,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `error while attempting to bind on address ('127.0.0.1', ${port}): address already in use`,
      );
    } finally {
      blocker.close();
    }
  });

  it('exits 1 with a clear message for a database URL it cannot use', async () => {
    const result = await runRegistry(['--port', '0'], { MCP_MESH_DATABASE_URL: 'mysql://user:secret@db/x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unsupported database URL');
    expect(result.stderr).not.toContain('secret');
  });

  it('writes uvicorn-style access lines when MCP_MESH_ACCESS_LOG is on', async () => {
    using dir = tempDir();
    const registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'a.db')}`,
      MCP_MESH_ACCESS_LOG: 'true',
    });
    await postJson(registry.baseUrl, '/agents/register_with_metadata', {
      agent_id: 'a',
      metadata: {},
      timestamp: 't',
    });
    registry.child.kill('SIGTERM');
    await registry.exited;
    expect(registry.stdout()).toMatch(
      /INFO: {5}127\.0\.0\.1:\d+ - "POST \/agents\/register_with_metadata HTTP\/1\.1" 201 Created\n/,
    );
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startupBanner } from '../../src/registry/banner.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { send } from '../helpers/http-request.js';
import { TEST_PASSWORD } from '../helpers/postgres-server.js';
import { type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl, TEST_DIALECT } from '../helpers/test-database.js';

const json = { 'content-type': 'application/json' };
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

type Line = Record<string, unknown> & { level: string; msg: string };

async function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A registry process that lives through one agent's whole life and another's fall: two
 * registrations, heartbeats, a status change by the liveness judge, a deregistration, then SIGTERM.
 */
async function runLifecycle(env: Record<string, string>, linesOf: (registry: RegistryProcess) => string[]) {
  using dir = tempDir();
  const databaseUrl = await freshDatabaseUrl(dir.path);
  const registry = await spawnRegistry(['--host', '127.0.0.1', '--port', '0'], {
    MCP_MESH_DATABASE_URL: databaseUrl,
    MCP_MESH_ACCESS_LOG: 'true',
    // 3 s against heartbeats every 300 ms: `stays` keeps healthy on a loaded machine too.
    DEFAULT_TIMEOUT_THRESHOLD: '3',
    HEALTH_CHECK_INTERVAL: '1',
    MCP_MESH_HEARTBEAT_PROBE_AFTER: '0',
    ...env,
  });
  running.push(registry);
  const heartbeat = (body: object) =>
    send(registry.baseUrl, { method: 'POST', path: '/heartbeat', headers: json, body: JSON.stringify(body) });
  expect((await heartbeat(heartbeatBody('stays-a1b2'))).status).toBe(200);
  expect((await heartbeat(heartbeatBody('falls-c3d4'))).status).toBe(200);
  // `falls` sends nothing more: unhealthy after its 3 s. `stays` keeps heartbeating, then leaves.
  const keepAlive = setInterval(() => void heartbeat(heartbeatBody('stays-a1b2')).catch(() => {}), 300);
  try {
    await until(
      () => linesOf(registry).some((l) => l.includes('agent status changed') && l.includes('falls-c3d4')),
      30_000,
      () => `the status change in:\n${registry.stderr()}`,
    );
  } finally {
    clearInterval(keepAlive);
  }
  expect((await send(registry.baseUrl, { method: 'DELETE', path: '/agents/stays-a1b2' })).status).toBe(204);
  await until(
    () => linesOf(registry).some((l) => l.includes('agent deregistered')),
    5000,
    () => 'the deregistration',
  );
  registry.child.kill('SIGTERM');
  expect(await registry.exited).toBe(0);
  return { registry, databaseUrl };
}

const running: RegistryProcess[] = [];
afterEach(async () => {
  for (const registry of running.splice(0)) await registry[Symbol.asyncDispose]();
});

describe('MCP_MESH_LOG_FORMAT=json', () => {
  it('writes every line as one JSON object with a string level, on stderr only', async () => {
    const { registry, databaseUrl } = await runLifecycle({ MCP_MESH_LOG_FORMAT: 'json' }, (r) =>
      r.stderr().split('\n'),
    );
    expect(registry.stdout()).toBe('');
    const lines = registry
      .stderr()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Line;
        } catch {
          throw new Error(`not a JSON line: ${l}`);
        }
      });
    for (const line of lines) {
      expect(LEVELS.has(line.level), JSON.stringify(line)).toBe(true);
      expect(typeof line.msg).toBe('string');
      expect(typeof line.time).toBe('string');
    }
    const withMsg = (pattern: RegExp) => lines.filter((l) => pattern.test(l.msg));

    // The banner, naming the database; uvicorn's lifecycle; the database opened.
    const [banner] = withMsg(/^Starting MCP Mesh Registry Service$/);
    expect(banner).toMatchObject({ level: 'info', server: `http://127.0.0.1:0`, version: '0.1.0' });
    const database = banner!.database as string;
    if (TEST_DIALECT === 'postgres') {
      expect(database).toBe(databaseUrl.replace(`:${TEST_PASSWORD}@`, ':***@'));
    } else {
      expect(database).toBe(databaseUrl.replace('sqlite://', 'sqlite:'));
    }
    expect(withMsg(/^database opened: /)[0]).toMatchObject({ database });
    for (const text of [
      'Started server process',
      'Application startup complete.',
      'Uvicorn running on',
      'Shutting down',
      'Finished server process',
      '✅ Registry service stopped',
    ]) {
      expect(withMsg(new RegExp(`^${text.replace('.', '\\.')}`)), text).toHaveLength(1);
    }

    // Access lines, with the request's facts as fields.
    const access = lines.filter((l) => l.method === 'POST' && l.url === '/heartbeat');
    expect(access.length).toBeGreaterThanOrEqual(2);
    expect(access[0]).toMatchObject({ level: 'info', status: 200, http_version: '1.1' });
    expect(typeof access[0]!.duration_ms).toBe('number');

    // One line per lifecycle event.
    expect(withMsg(/^agent registered$/).map((l) => l.agentId)).toEqual(['stays-a1b2', 'falls-c3d4']);
    expect(withMsg(/^agent status changed$/)).toEqual([
      expect.objectContaining({ agentId: 'falls-c3d4', from: 'healthy', to: 'unhealthy' }),
    ]);
    expect(withMsg(/^agent deregistered$/)).toEqual([
      expect.objectContaining({ agentId: 'stays-a1b2', name: 'stays' }),
    ]);
    // Heartbeats that change nothing are no lifecycle events.
    expect(withMsg(/^agent /).map((l) => l.msg)).toHaveLength(4);
    expect(registry.stderr()).not.toContain(TEST_PASSWORD);
  });

  it('refuses a format it does not know, in text', async () => {
    const { runRegistry } = await import('../helpers/registry-process.js');
    const result = await runRegistry(['--port', '0'], { MCP_MESH_LOG_FORMAT: 'xml' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      '❌ Failed to start registry service: MCP_MESH_LOG_FORMAT must be text or json; got "xml"\n',
    );
  });

  it('reports a failed start as a JSON line', async () => {
    const { runRegistry } = await import('../helpers/registry-process.js');
    const result = await runRegistry(['--port', '0'], {
      MCP_MESH_LOG_FORMAT: 'json',
      MCP_MESH_DATABASE_URL: 'sqlite:///no-such-folder-for-mesh/registry.db',
    });
    expect(result.code).toBe(1);
    const line = JSON.parse(result.stderr.trim()) as Line;
    expect(line.level).toBe('error');
    expect(line.msg).toMatch(/^Failed to start registry service: Cannot open SQLite database /);
  });
});

describe('text output (the default)', () => {
  it('keeps the banner and uvicorn lines as they were, and logs each lifecycle event once', async () => {
    const { registry } = await runLifecycle({}, (r) => r.stderr().split('\n'));
    // The banner first on stdout, byte for byte; then access lines; the notices last.
    expect(registry.stdout().startsWith(startupBanner('127.0.0.1', 0))).toBe(true);
    expect(registry.stdout()).toMatch(/^INFO: {5}127\.0\.0\.1:\d+ - "POST \/heartbeat HTTP\/1\.1" 200 OK$/m);
    expect(
      registry
        .stdout()
        .endsWith(
          'Received signal 15, initiating graceful shutdown...\n🛑 Shutting down registry service...\n✅ Registry service stopped\n',
        ),
    ).toBe(true);
    const stderr = registry.stderr();
    expect(stderr).toContain(
      `INFO:     Started server process [${registry.child.pid}]\nINFO:     Waiting for application startup.\n`,
    );
    expect(stderr).toMatch(
      /INFO: {5}Application startup complete\.\nINFO: {5}Uvicorn running on http:\/\/127\.0\.0\.1:\d+ \(Press CTRL\+C to quit\)\n/,
    );
    expect(stderr).toContain(
      `INFO:     Shutting down\nINFO:     Waiting for application shutdown.\nINFO:     Application shutdown complete.\nINFO:     Finished server process [${registry.child.pid}]\n`,
    );
    // Diagnostics stay pino lines: the database, and one line per lifecycle event.
    const diagnostics = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(diagnostics.filter((l) => String(l.msg).startsWith('database opened: '))).toHaveLength(1);
    expect(
      diagnostics
        .filter((l) => /^agent (registered|status changed|deregistered)$/.test(String(l.msg)))
        .map((l) => `${l.msg} ${l.agentId}`),
    ).toEqual([
      'agent registered stays-a1b2',
      'agent registered falls-c3d4',
      'agent status changed falls-c3d4',
      'agent deregistered stays-a1b2',
    ]);
  });
});

/**
 * `mcp_mesh_dev list` against templates/list.txt. The agents are started by the CLI against our
 * registry; then, as when the transcripts were captured, the configured port answers with the
 * template's canned `GET /agents` payload (a registry that sends exactly those entries).
 */
import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { expectTemplate, loadScenarios } from '../helpers/cli-templates.js';
import { freePort, isAlive } from '../helpers/free-port.js';
import { startMesh } from './mesh-fixture.js';

const scenarios = loadScenarios('list.txt');
const template = (name: string) => scenarios.get(name)!.runs[0]!;

const GOOD_AGENT = {
  name: 'good_agent',
  health_status: 'healthy',
  capabilities: [{ name: 'x' }],
  dependencies: ['a', 'b'],
  endpoint: 'http://localhost:0/good',
};
const HELLO_WORLD = { name: 'hello-world', status: 'healthy', id: 'abc' };

async function cannedRegistry(port: number, agents: unknown[]): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      req.url === '/agents' ? JSON.stringify({ agents, count: agents.length }) : '{"status":"healthy"}',
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** Agents started here; then their registry stopped and the configured port one answering `agents`. */
async function meshWithListing(sandbox: CliSandbox, agents: unknown[]) {
  const mesh = await startMesh(sandbox, ['good_agent', 'other_agent']);
  expect((await sandbox.run(['stop', '--agent', 'registry'])).code).toBe(0);
  expect(isAlive(mesh.pids.registry!)).toBe(false);
  const port = await freePort();
  expect((await sandbox.run(['config', 'set', 'registry_port', String(port)])).code).toBe(0);
  return { ...mesh, server: await cannedRegistry(port, agents) };
}

/**
 * Documented difference (docs/compatibility.md, "health from status"): an entry without
 * `health_status` takes its health from `status`, so hello-world reads as healthy.
 */
const healthFromStatus = (text: string) =>
  text
    .replace('  Healthy: 1/3', '  Healthy: 2/3')
    .replace(
      'Agent: hello-world\n  Status: 🟡 Registered (Process Unknown)\n  Health: Unknown',
      'Agent: hello-world\n  Status: 🟡 Registered (Process Unknown)\n  Health: Healthy',
    )
    .replace(
      '"name": "hello-world",\n    "status": "registered",\n    "registered": true,\n    "health": "unknown"',
      '"name": "hello-world",\n    "status": "registered",\n    "registered": true,\n    "health": "healthy"',
    );

describe('list (templates/list.txt)', () => {
  it('merges registry entries with the agents started here, in text and JSON', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    const { pids, server } = await meshWithListing(sandbox, [GOOD_AGENT, HELLO_WORLD]);
    try {
      const values = { pids, abs: sandbox.agents };
      const text = await sandbox.run(['list']);
      expect(text.code, `${text.stdout}${text.stderr}`).toBe(0);
      expect(text.stderr).toBe('');
      expectTemplate(text.stdout, healthFromStatus(template('list-mixed').stdout), values);
      const json = await sandbox.run(['list', '--json']);
      expect(json.code, `${json.stdout}${json.stderr}`).toBe(0);
      expectTemplate(json.stdout, healthFromStatus(template('list-json-mixed').stdout), values);
      const filtered = await sandbox.run(['list', '--json', '--filter', 'UNREG']);
      expect(Object.keys(JSON.parse(filtered.stdout))).toEqual(['other_agent']);
    } finally {
      server.close();
    }
  });

  it('shows only the last hints when every agent runs', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    const { pids, server } = await meshWithListing(sandbox, [GOOD_AGENT]);
    try {
      const result = await sandbox.run(['list']);
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      expectTemplate(result.stdout, template('list-all-running').stdout, { pids, abs: sandbox.agents });
      expect(result.stderr).toBe('');
    } finally {
      server.close();
    }
  });
});

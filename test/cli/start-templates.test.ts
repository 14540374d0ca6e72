/**
 * `mcp_mesh_dev start` against the transcripts of test/fixtures/cli/templates/start.txt, with our
 * real registry and stand-in Python agents (test/cli/agents) — no stand-in registry.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox, finished } from '../helpers/cli-process.js';
import { expectTemplate, loadScenarios } from '../helpers/cli-templates.js';
import { freePort, isAlive } from '../helpers/free-port.js';
import { startForeground } from './mesh-fixture.js';

const scenarios = loadScenarios('start.txt');
const template = (name: string) => scenarios.get(name)!.runs[0]!;

async function health(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/health`)).status;
}

describe('start (templates/start.txt)', () => {
  it('runs the registry in the foreground until SIGINT, then stops it and exits 0', async () => {
    using sandbox = new CliSandbox();
    const { port, child, done } = await startForeground(sandbox);
    const registryPid = sandbox.pid('registry');
    expect(await health(port)).toBe(200);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expectTemplate(result.stdout, template('start-registry-only-foreground').stdout, {
      port,
      pids: { registry: registryPid },
    });
    expect(result.stderr).toBe('');
    expect(isAlive(registryPid)).toBe(false);
    expect(sandbox.tracked().processes).toEqual({});
  });

  it('leaves a background registry running after the CLI exits, and reuses it on the next start', async () => {
    using sandbox = new CliSandbox();
    const port = await freePort();
    const first = await sandbox.run(['start', '--background', '--registry-port', String(port)]);
    expect(first.code, `${first.stdout}${first.stderr}`).toBe(0);
    const registryPid = sandbox.pid('registry');
    expectTemplate(first.stdout, template('start-registry-only-background').stdout, {
      port,
      pids: { registry: registryPid },
    });
    expect(first.stderr).toBe('');
    expect(isAlive(registryPid)).toBe(true);
    expect(await health(port)).toBe(200);
    // processes.json has the structure of the original's, key order included (fixtures/cli/state).
    const example = JSON.parse(
      readFileSync(new URL('../fixtures/cli/state/processes.example.json', import.meta.url), 'utf8'),
    );
    const written = JSON.parse(readFileSync(join(sandbox.home, '.mcp_mesh', 'processes.json'), 'utf8'));
    const shape = (value: unknown): unknown =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).map(([key, inner]) => [key, shape(inner)])
        : typeof value;
    // plus, last, the OS start token that names the process (docs/compatibility.md, process identity).
    expect(shape(written.processes.registry)).toEqual([
      ...(shape(example.processes.registry) as unknown[]),
      ['process_start', 'string'],
    ]);
    expect(Object.keys(written)).toEqual(Object.keys(example));
    expect(shape(written.registry_state)).toEqual(shape(example.registry_state));
    // The first run persisted the flags, as the original did (§3.8).
    const config = JSON.parse(readFileSync(join(sandbox.home, '.mcp_mesh', 'cli_config.json'), 'utf8'));
    expect(config).toMatchObject({ registry_port: port, enable_background: true });

    const second = await sandbox.run(['start', '--background']);
    expect(second.code, `${second.stdout}${second.stderr}`).toBe(0);
    expectTemplate(second.stdout, template('start-registry-reused').stdout, {
      port,
      pids: { registry: registryPid },
    });
    expect(second.stderr).toBe('');
    expect(sandbox.pid('registry')).toBe(registryPid);
  });

  it('moves the registry to the next port when the configured one is taken', async () => {
    using sandbox = new CliSandbox();
    const port = await freePort(2);
    const blocker = createServer().listen(port, '127.0.0.1');
    try {
      const result = await sandbox.run(['start', '--background', '--registry-port', String(port)]);
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      const run = template('start-port-conflict');
      // Added on purpose (docs/compatibility.md, "Port fallback"): stdout says where the registry went.
      const stdout = run.stdout.replace(
        'ℹ INFO: Starting registry service...\n',
        'ℹ INFO: Starting registry service...\n⚠ WARNING: Port <PORT> is already in use: the registry listens on port <PORT+1> instead\n',
      );
      expectTemplate(result.stdout, stdout, { port, pids: { registry: sandbox.pid('registry') } });
      expectTemplate(result.stderr, run.stderr, { port });
      expect(await health(port + 1)).toBe(200);
      expect(sandbox.tracked().registry_state.url).toBe(`http://localhost:${port + 1}`);
    } finally {
      blocker.close();
    }
  });

  it('reports a mixed set of agents: registered, unregistered, crashing, missing and exiting', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    for (const name of ['good_agent.py', 'other_agent.py']) sandbox.addAgent(name);
    sandbox.addAgent('bad_agent.py', 'bad_agent.py');
    sandbox.addAgent('silent_exit.py', 'silent_exit.py');
    const port = await freePort();
    const files = ['good_agent', 'other_agent', 'bad_agent', 'missing', 'silent_exit'].map(
      (n) => `../agents/${n}.py`,
    );
    const result = await sandbox.run([
      'start',
      '--background',
      '--registry-port',
      String(port),
      '--startup-timeout',
      '3',
      ...files,
    ]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const run = template('start-agents-mixed');
    const pids = {
      registry: sandbox.pid('registry'),
      good_agent: sandbox.pid('good_agent'),
      other_agent: sandbox.pid('other_agent'),
    };
    expectTemplate(result.stdout, run.stdout, { port, pids, abs: sandbox.agents });
    // Documented differences (docs/compatibility.md, "agent output"): an agent's stdout and stderr
    // share its log file, so a crash at start-up reports them together as its output, once; the
    // failure lines repeat only its last line.
    const stderr = run.stderr
      .replace(
        'Agent bad_agent stdout: some stdout\n\nAgent bad_agent stderr: boom on stderr\n',
        'Agent bad_agent output: some stdout\nboom on stderr\n',
      )
      .replaceAll('failed to start: boom on stderr\n\n', 'failed to start: boom on stderr\n')
      .replace("failed to start: boom on stderr\\n'", "failed to start: boom on stderr'");
    expectTemplate(result.stderr, stderr, { port });
    // Both surviving agents outlive the CLI, and their stdin never reached EOF.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(isAlive(pids.good_agent)).toBe(true);
    expect(isAlive(pids.other_agent)).toBe(true);
    const log = readFileSync(sandbox.serviceLog('good_agent'), 'utf8');
    expect(log).toContain('good_agent ready');
    expect(log).not.toContain('saw the end of stdin');
  });

  it('starts agents with the debug and log-level settings and reports all registered', async () => {
    using sandbox = new CliSandbox();
    const good = sandbox.addAgent('good_agent.py');
    const other = sandbox.addAgent('other_agent.py');
    const port = await freePort();
    const result = await sandbox.run([
      'start',
      '--background',
      '--registry-port',
      String(port),
      '--debug',
      '--log-level',
      'DEBUG',
      good,
      other,
    ]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const run = template('start-agents-all-registered');
    const pids = {
      registry: sandbox.pid('registry'),
      good_agent: sandbox.pid('good_agent'),
      other_agent: sandbox.pid('other_agent'),
    };
    expectTemplate(result.stdout, run.stdout, { port, pids, abs: sandbox.agents });
    expect(result.stderr).toBe('');
    const env = JSON.parse(readFileSync(join(sandbox.agents, 'good_agent.env.json'), 'utf8'));
    expect(env).toEqual({
      MCP_MESH_REGISTRY_URL: `http://localhost:${port}`,
      MCP_MESH_REGISTRY_HOST: 'localhost',
      MCP_MESH_REGISTRY_PORT: String(port),
      MCP_MESH_DATABASE_URL: 'sqlite:///./dev_registry.db',
      MCP_MESH_DEBUG: '1',
      MCP_MESH_LOG_LEVEL: 'DEBUG',
    });
  });

  it('fails when no agent registers, and stops the agent it launched', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'good_agent' });
    const good = sandbox.addAgent('good_agent.py');
    const port = await freePort();
    const child = sandbox.spawn([
      'start',
      '--background',
      '--registry-port',
      String(port),
      '--startup-timeout',
      '2',
      good,
    ]);
    let agentPid = 0;
    child.stdout!.on('data', () => {
      agentPid ||= sandbox.tracked().processes.good_agent?.pid ?? 0;
    });
    const result = await finished(child);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    const run = template('start-agents-none-registered');
    expectTemplate(result.stdout, run.stdout, {
      port,
      pids: { registry: sandbox.pid('registry'), good_agent: agentPid },
      abs: sandbox.agents,
    });
    expectTemplate(result.stderr, run.stderr, { port });
    expect(isAlive(agentPid)).toBe(false);
    expect(sandbox.tracked().processes.good_agent).toBeUndefined();
    expect(await health(port)).toBe(200);
  });

  it('fails when every agent file is invalid, and keeps the registry for the next try', async () => {
    using sandbox = new CliSandbox();
    const port = await freePort();
    const result = await sandbox.run(['start', '--background', '--registry-port', String(port), 'nope.py']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    const run = template('start-all-agent-files-invalid');
    expectTemplate(result.stdout, run.stdout, { port, pids: { registry: sandbox.pid('registry') } });
    expectTemplate(result.stderr, run.stderr, { port });
    expect(await health(port)).toBe(200);
  });
});

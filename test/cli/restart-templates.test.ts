/** `mcp_mesh_dev restart` and `restart-agent` against templates/restart.txt. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { expectTemplate, loadScenarios } from '../helpers/cli-templates.js';
import { isAlive } from '../helpers/free-port.js';
import { startMesh } from './mesh-fixture.js';

const scenarios = loadScenarios('restart.txt');
const template = (name: string) => scenarios.get(name)!.runs[0]!;

describe('restart and restart-agent (templates/restart.txt)', () => {
  it('restarts the registry on the same port, with a new process', async () => {
    using sandbox = new CliSandbox();
    const { port, pids } = await startMesh(sandbox);
    const result = await sandbox.run(['restart', '--timeout', '5']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const fresh = sandbox.pid('registry');
    expect(fresh).not.toBe(pids.registry);
    expect(isAlive(pids.registry!)).toBe(false);
    expectTemplate(result.stdout, template('restart-registry').stdout, {
      port,
      pids: { new_registry: fresh },
    });
    expect(result.stderr).toBe('');
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it('restarts an agent and waits for its registration', async () => {
    using sandbox = new CliSandbox();
    const { port, pids } = await startMesh(sandbox, ['good_agent']);
    const result = await sandbox.run(['restart-agent', 'good_agent', '--timeout', '5']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const fresh = sandbox.pid('good_agent');
    expect(fresh).not.toBe(pids.good_agent);
    expect(isAlive(pids.good_agent!)).toBe(false);
    expect(isAlive(fresh)).toBe(true);
    expectTemplate(result.stdout, template('restart-agent-success').stdout, {
      port,
      pids: { old: pids.good_agent!, new: fresh },
      abs: sandbox.agents,
    });
    expect(result.stderr).toBe('');
  });

  it('says the restarted agent may not be ready when no registry answers', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    process.kill(pids.registry!, 'SIGKILL');
    await expect.poll(() => isAlive(pids.registry!)).toBe(false);
    const result = await sandbox.run(['restart-agent', 'good_agent', '--timeout', '5'], {
      MCP_MESH_STARTUP_TIMEOUT: '3',
      STAND_IN_SILENT: 'good_agent',
    });
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    const run = template('restart-agent-not-registered');
    expectTemplate(result.stdout, run.stdout, { pids: { old: pids.good_agent! }, abs: sandbox.agents });
    expectTemplate(result.stderr, run.stderr, {});
    // The new process runs on: restarting never leaves the agent stopped because registration is slow.
    expect(isAlive(sandbox.pid('good_agent'))).toBe(true);
  });

  it('reports an agent whose file is gone', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    const statePath = join(sandbox.home, '.mcp_mesh', 'processes.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    state.processes.good_agent.metadata.agent_file = join(sandbox.agents, 'nonexist.py');
    writeFileSync(statePath, JSON.stringify(state, null, 2));
    const result = await sandbox.run(['restart-agent', 'good_agent']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    const run = template('restart-agent-file-gone');
    expectTemplate(result.stdout, run.stdout, { pids: { old: pids.good_agent! }, abs: sandbox.agents });
    expectTemplate(result.stderr, run.stderr, { abs: sandbox.agents });
    expect(isAlive(pids.good_agent!)).toBe(false);
  });

  it('reports an agent that is not tracked', async () => {
    using sandbox = new CliSandbox();
    const result = await sandbox.run(['restart-agent', 'foo']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stdout).toBe(template('restart-agent-not-tracked').stdout);
  });
});

/** `mcp_mesh_dev stop` against templates/stop.txt, with our registry and stand-in agents. */
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { expectTemplate, loadScenarios } from '../helpers/cli-templates.js';
import { isAlive } from '../helpers/free-port.js';
import { startMesh } from './mesh-fixture.js';

const scenarios = loadScenarios('stop.txt');
const template = (name: string) => scenarios.get(name)!.runs[0]!;

describe('stop (templates/stop.txt)', () => {
  it('stops a registry that an earlier, finished CLI started', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox);
    const result = await sandbox.run(['stop']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const run = template('stop-registry-only');
    expectTemplate(result.stdout, run.stdout, {});
    expect(result.stderr).toBe(run.stderr);
    expect(isAlive(pids.registry!)).toBe(false);
    expect(sandbox.tracked().processes).toEqual({});
  });

  it('stops the agents, then the registry', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    const result = await sandbox.run(['stop']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expectTemplate(result.stdout, template('stop-all').stdout, {});
    expect(result.stderr).toBe('');
    for (const pid of Object.values(pids)) expect(isAlive(pid)).toBe(false);
  });

  it('accepts --force and stops agents in tracking order', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    const { pids } = await startMesh(sandbox, ['other_agent', 'good_agent']);
    const result = await sandbox.run(['stop', '--force']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expectTemplate(result.stdout, template('stop-force').stdout, {});
    expect(result.stderr).toBe('');
    for (const pid of Object.values(pids)) expect(isAlive(pid)).toBe(false);
  });

  it('stops one agent with --agent and leaves the rest running', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    const { pids } = await startMesh(sandbox, ['good_agent', 'other_agent']);
    const result = await sandbox.run(['stop', '--agent', 'other_agent']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const run = template('stop-agent');
    expectTemplate(result.stdout, run.stdout, {});
    expect(result.stderr).toBe(run.stderr);
    expect(isAlive(pids.other_agent!)).toBe(false);
    expect(isAlive(pids.good_agent!)).toBe(true);
    expect(isAlive(pids.registry!)).toBe(true);
    expect(Object.keys(sandbox.tracked().processes)).toEqual(['registry', 'good_agent']);
  });

  it('escalates to SIGKILL for an agent that ignores SIGTERM, and reports it stopped', async () => {
    using sandbox = new CliSandbox({ STAND_IN_IGNORE_SIGTERM: '1' });
    const { pids } = await startMesh(sandbox, ['stubborn']);
    const result = await sandbox.run(['stop', '--agent', 'stubborn', '--timeout', '1']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toBe(
      'ℹ INFO: Stopping agent: stubborn\n✓ SUCCESS: Agent stubborn stopped successfully\n',
    );
    expect(result.stderr).toBe(`Force killing stubborn (PID: ${pids.stubborn})\n`);
    expect(isAlive(pids.stubborn!)).toBe(false);
  });

  it('reports an unknown agent', async () => {
    using sandbox = new CliSandbox();
    const result = await sandbox.run(['stop', '--agent', 'foo']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stdout).toBe(template('stop-agent-not-tracked').stdout);
  });
});

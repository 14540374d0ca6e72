/** `mcp_mesh_dev status` against templates/status.txt, with our registry and stand-in agents. */
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { expectTemplate, loadScenarios } from '../helpers/cli-templates.js';
import { isAlive } from '../helpers/free-port.js';
import { startMesh } from './mesh-fixture.js';

const scenarios = loadScenarios('status.txt');
const template = (name: string) => scenarios.get(name)!.runs[0]!;

/**
 * The templates were captured with an empty ./dev_registry.db; our registry creates its tables in
 * it, so the size and table list are whatever the file holds.
 */
const databaseText = (text: string) =>
  text.replace("'size': 0, 'tables': []", '<DBINFO>').replace('"size": 0,\n      "tables": []', '<DBJSON>');
const DATABASE_PATTERNS = {
  '<DBINFO>': "'size': \\d+, 'tables': \\[[^\\]]*\\]",
  '<DBJSON>': '"size": \\d+,\\n      "tables": \\[[^\\]]*\\]',
};

describe('status (templates/status.txt)', () => {
  it('shows the registry and both agents, one registered as healthy', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    const { port, pids } = await startMesh(sandbox, ['good_agent', 'other_agent']);
    const values = { port, pids, abs: sandbox.agents, patterns: DATABASE_PATTERNS };

    const text = await sandbox.run(['status']);
    expect(text.code, `${text.stdout}${text.stderr}`).toBe(0);
    expect(text.stderr).toBe('');
    expectTemplate(text.stdout, databaseText(template('status-registry-and-agents').stdout), values);
    expect(text.stdout).toContain("'mesh_agents'");

    const verbose = await sandbox.run(['status', '--verbose']);
    expect(verbose.code, `${verbose.stdout}${verbose.stderr}`).toBe(0);
    const tail = template('status-verbose-tail').stdout;
    expect(verbose.stdout.endsWith(tail.slice(0, tail.indexOf('  Total Memory')))).toBe(false);
    expectTemplate(
      verbose.stdout.slice(verbose.stdout.indexOf('\nℹ INFO: Performance Metrics:')),
      tail,
      values,
    );

    const json = await sandbox.run(['status', '--json']);
    expect(json.code, `${json.stdout}${json.stderr}`).toBe(0);
    // The JSON document alone: the original's INFO line before it is dropped (docs/compatibility.md).
    const recorded = databaseText(template('status-json-registry-and-agents').stdout);
    const checking = 'ℹ INFO: Checking MCP Mesh services status...\n';
    expect(recorded.startsWith(checking)).toBe(true);
    expectTemplate(json.stdout, recorded.slice(checking.length), values);
    expect(JSON.parse(json.stdout)).toMatchObject({ registry: { status: 'running' } });
  });

  it('shows running agents as of unknown health when the registry is gone, without waiting', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    const { pids } = await startMesh(sandbox, ['good_agent', 'other_agent']);
    process.kill(pids.registry!, 'SIGKILL');
    await expect.poll(() => isAlive(pids.registry!)).toBe(false);
    const started = Date.now();
    const result = await sandbox.run(['status']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stderr).toBe('');
    expectTemplate(result.stdout, template('status-agents-without-registry').stdout, { pids });
    // The original took about 3 s per agent here.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(sandbox.tracked().registry_state).toEqual({});
  });
});

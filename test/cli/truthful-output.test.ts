/** Output that says what actually happened: the registry's real port, failed log reads, agent names. */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';
import { startMesh } from './mesh-fixture.js';

describe('truthful output', () => {
  it('says on stdout that a taken port moved the registry, and points the agents at the new one', async () => {
    using sandbox = new CliSandbox();
    const agent = sandbox.addAgent('good_agent.py');
    const port = await freePort(2);
    const blocker = createServer().listen(port, '127.0.0.1');
    try {
      const result = await sandbox.run(['start', '--background', '--registry-port', String(port), agent]);
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(
        `ℹ INFO: Starting registry service...\n⚠ WARNING: Port ${port} is already in use: the registry listens on port ${port + 1} instead\n✓ SUCCESS: Registry service ready\n`,
      );
      expect(result.stdout).toContain(`  Registry: http://localhost:${port + 1}\n`);
      expect(result.stdout).toContain('✓ SUCCESS: Agent good_agent registered successfully');
      const env = JSON.parse(readFileSync(join(sandbox.agents, 'good_agent.env.json'), 'utf8'));
      expect(env).toMatchObject({
        MCP_MESH_REGISTRY_URL: `http://localhost:${port + 1}`,
        MCP_MESH_REGISTRY_PORT: String(port + 1),
      });
    } finally {
      blocker.close();
    }
  });

  it('exits non-zero when the agent log exists but cannot be read', async () => {
    using sandbox = new CliSandbox();
    await startMesh(sandbox, ['good_agent']);
    // Both places an agent's log may be are directories now: reading them fails.
    mkdirSync(join(sandbox.agents, 'good_agent.log'));
    const tempLog = sandbox.serviceLog('good_agent');
    rmSync(tempLog);
    mkdirSync(tempLog);
    const result = await sandbox.run(['logs', '--agent', 'good_agent']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stdout).toContain(
      `⚠ WARNING: Failed to read log file ${join(sandbox.agents, 'good_agent.log')}: `,
    );
    expect(result.stdout).toContain(`⚠ WARNING: Failed to read log file ${tempLog}: `);
  });

  it('names the running agents when restart-agent does not know the name', async () => {
    using sandbox = new CliSandbox();
    await startMesh(sandbox, ['good_agent']);
    const result = await sandbox.run(['restart-agent', 'provider']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      "ℹ INFO: Restarting agent: provider\n✗ ERROR: Agent 'provider' not found\nℹ INFO: Running agents: good_agent\n",
    );
  });

  it('restarts an agent named by its file', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    const result = await sandbox.run(['restart-agent', 'good_agent.py']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/^ℹ INFO: Restarting agent: good_agent\n/);
    expect(result.stdout).toContain('✓ SUCCESS: Agent good_agent restarted successfully');
    expect(sandbox.pid('good_agent')).not.toBe(pids.good_agent);
  });
});

/**
 * The developer CLI end to end with real parts: our registry, two agents of the published `mcp-mesh`
 * SDK (each version the tests pin), all started, listed, restarted and stopped by `mcp_mesh_dev` from
 * a temporary HOME.
 */
import { copyFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { freePort, isAlive } from '../helpers/free-port.js';
import { ensureVenv, REPO_ROOT, SDK_VERSIONS } from '../helpers/python-env.js';
import { registeredName, waitFor } from './agent-process.js';
import { callTool } from './mesh-call.js';

const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');

/** PIDs of live processes whose working directory is inside `root`. */
function processesUnder(root: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(root) && isAlive(pid)) found.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

interface ListedAgent {
  name: string;
  registered: boolean;
  health: string;
  pid: number | null;
  process_status: string;
  capabilities: unknown[];
  dependencies: unknown[];
  agent_file?: string;
}

describe.each(SDK_VERSIONS)('mcp_mesh_dev with agents of the published SDK %s', (sdk) => {
  it('starts, lists, restarts and stops a provider and a consumer, leaving no process behind', async () => {
    const { venvDir } = await ensureVenv(sdk);
    const [providerPort, consumerPort] = [await freePort(), await freePort()];
    using sandbox = new CliSandbox({
      VIRTUAL_ENV: venvDir,
      // Keep the agents on loopback (test/e2e/agents/README.md).
      MCP_MESH_HTTP_HOST: '127.0.0.1',
      HOST: '127.0.0.1',
      PROVIDER_PORT: String(providerPort),
      CONSUMER_PORT: String(consumerPort),
      MCP_MESH_DISTRIBUTED_TRACING_ENABLED: 'false',
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    });
    const provider = join(sandbox.agents, 'provider.py');
    const consumer = join(sandbox.agents, 'consumer.py');
    copyFileSync(join(AGENTS, 'provider.py'), provider);
    copyFileSync(join(AGENTS, 'consumer.py'), consumer);
    const registryPort = await freePort();
    const pids: number[] = [];
    try {
      const start = await sandbox.run(
        [
          'start',
          '--background',
          '--registry-host',
          '127.0.0.1',
          '--registry-port',
          String(registryPort),
          provider,
          consumer,
        ],
        {},
        180_000,
      );
      expect(start.stdout).toContain('✓ SUCCESS: Agent provider registered successfully\n');
      expect(start.stdout).toContain('✓ SUCCESS: Agent consumer registered successfully\n');
      expect(start.stdout).toContain('✓ SUCCESS: All 2 agent(s) started and registered successfully\n');
      expect(start.code).toBe(0);
      const tracked = sandbox.tracked().processes;
      pids.push(tracked.registry!.pid, tracked.provider!.pid, tracked.consumer!.pid);
      expect(tracked.provider!.command[0]).toBe(join(venvDir, 'bin', 'python'));

      // The agents outlive the CLI and work as a mesh.
      const report = await waitFor(
        () => callTool(`http://127.0.0.1:${consumerPort}`, 'make_report'),
        (text) => text.startsWith('report: 2026-11-24 from date-provider'),
        60_000,
        'the consumer to answer through the provider',
      );
      expect(report).toBe('report: 2026-11-24 from date-provider');

      const list = await sandbox.run(['list', '--json']);
      expect(list.code).toBe(0);
      const listed = JSON.parse(list.stdout) as Record<string, ListedAgent>;
      const byFile = (file: string) => Object.values(listed).find((agent) => agent.agent_file === file);
      expect(byFile(provider)).toMatchObject({
        name: expect.stringMatching(registeredName(sdk, 'date-provider')),
        registered: true,
        health: 'healthy',
        pid: tracked.provider!.pid,
        process_status: 'running',
      });
      expect(byFile(consumer)).toMatchObject({
        name: expect.stringMatching(registeredName(sdk, 'report-consumer')),
        registered: true,
        health: 'healthy',
        pid: tracked.consumer!.pid,
        process_status: 'running',
      });
      expect(byFile(provider)!.capabilities.length).toBeGreaterThan(0);
      expect(byFile(consumer)!.dependencies).toHaveLength(1);
      expect(Object.keys(listed)).toHaveLength(2);

      const text = await sandbox.run(['list']);
      expect(text.stdout).toContain('  Running: 2/2\n  Registered: 2/2\n  Healthy: 2/2\n');
      expect(text.stdout.match(/🟢 Running & Registered/g)).toHaveLength(2);

      const status = await sandbox.run(['status', '--json']);
      const statusJson = JSON.parse(status.stdout);
      expect(statusJson.system).toEqual({
        total_agents: 2,
        running_agents: 2,
        registered_agents: 2,
        healthy_agents: 2,
      });

      const restart = await sandbox.run(['restart-agent', 'provider', '--timeout', '10'], {}, 120_000);
      expect(restart.stdout).toContain('✓ SUCCESS: Agent provider restarted successfully\n');
      expect(restart.code).toBe(0);
      const restarted = sandbox.tracked().processes.provider!.pid;
      pids.push(restarted);
      expect(restarted).not.toBe(tracked.provider!.pid);
      expect(isAlive(tracked.provider!.pid)).toBe(false);
      await waitFor(
        () => callTool(`http://127.0.0.1:${consumerPort}`, 'make_report'),
        (answer) => answer === 'report: 2026-11-24 from date-provider',
        60_000,
        'the consumer to reach the restarted provider',
      );

      const stop = await sandbox.run(['stop'], {}, 120_000);
      expect(stop.stdout).toContain('✓ SUCCESS: All services stopped successfully (3 total)\n');
      expect(stop.code).toBe(0);
      for (const pid of pids) expect(isAlive(pid), `PID ${pid}`).toBe(false);
      expect(processesUnder(sandbox.root)).toEqual([]);
      expect(sandbox.tracked().processes).toEqual({});
    } finally {
      for (const pid of processesUnder(sandbox.root)) process.kill(pid, 'SIGKILL');
    }
  }, 400_000);
});

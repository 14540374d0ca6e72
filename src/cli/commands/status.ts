/** `mcp_mesh_dev status [--verbose] [--json]` (cli.md §7.5). */

import { formatFixed } from '../../shared/python/python-float.js';
import type { CommandArgs } from '../command-table.js';
import { loadConfig } from '../config/cli-config.js';
import type { CliContext, CliOutput } from '../context.js';
import { PyFloat, type PyValue, pyJson } from '../output/python-values.js';
import { reportTo } from '../output/service-event-text.js';
import { agentStatus, registryAgents } from '../services/agent-service.js';
import { type LocalMesh, openLocalMesh } from '../services/local-mesh.js';
import { registryStatus } from '../services/registry-service.js';
import { localClock, parseLocalTimestamp } from '../state/local-time.js';
import { uptimeSeconds } from '../state/process-tracker.js';

export type StatusArgs = CommandArgs['status'];

type StatusObject = Record<string, PyValue>;

export async function run(args: StatusArgs, ctx: CliContext): Promise<number> {
  const { out } = ctx;
  try {
    const mesh = openLocalMesh(
      ctx,
      loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env }),
      reportTo(ctx.out),
    );
    // Not before --json output, which is the JSON document alone (`status --json | jq`): the
    // original printed it there too (§7.5 step 1; docs/compatibility.md).
    if (!args.json) out.info('Checking MCP Mesh services status...');
    const registry = await registryStatus(mesh);
    const tracked = mesh.tracker.byType('agent');
    // One registry query for all agents (the original asked once per agent, with the same result).
    const listed = tracked.length > 0 ? ((await registryAgents(mesh)) ?? []) : [];
    const agents: Record<string, StatusObject> = {};
    for (const record of tracked) agents[record.name] = agentStatus(mesh, record, listed);
    const values = Object.values(agents);
    const system = {
      total_agents: values.length,
      running_agents: values.filter((a) => a.status === 'running').length,
      registered_agents: values.filter((a) => a.registered === true).length,
      healthy_agents: values.filter((a) => a.health === 'healthy').length,
    };
    if (args.json) {
      out.print(pyJson({ registry, agents, system }));
      return 0;
    }
    printText(out, mesh, registry, agents, system);
    if (args.verbose) printPerformance(out, mesh);
    return 0;
  } catch (error) {
    out.log(`Failed to get status: ${(error as Error).message}`);
    return 1;
  }
}

function printText(
  out: CliOutput,
  mesh: LocalMesh,
  registry: StatusObject,
  agents: Record<string, StatusObject>,
  system: Record<string, number>,
): void {
  const registryRunning = registry.status === 'running';
  const entries = Object.entries(agents);
  const healthy =
    registryRunning && entries.every(([, a]) => a.status === 'running' && a.registered === true);
  out.print();
  out.status(healthy ? 'success' : 'warning', `MCP Mesh System Status: ${healthy ? 'HEALTHY' : 'DEGRADED'}`, {
    Registry: registryRunning ? 'Running' : 'Issues',
    'Total Agents': system.total_agents,
    Running: system.running_agents,
    Registered: system.registered_agents,
    Healthy: system.healthy_agents,
  });
  out.print();
  const record = mesh.tracker.get('registry');
  const extra = record
    ? {
        PID: record.pid,
        Uptime: `${formatFixed(uptimeSeconds(record))}s`,
        Started: localClock(new Date(parseLocalTimestamp(record.started_at))),
      }
    : {};
  out.status(registryRunning ? 'success' : 'error', 'Registry Service', { ...registry, ...extra });
  out.print();
  if (entries.length === 0) {
    out.info('No agent processes running');
    return;
  }
  out.info(`Agent Processes (${entries.length} total):`);
  for (const [name, agent] of entries) {
    const running = agent.status === 'running';
    const [level, text] = !running
      ? (['error', 'Stopped'] as const)
      : agent.registered !== true
        ? (['warning', 'Running (Unregistered)'] as const)
        : agent.health === 'healthy'
          ? (['success', 'Healthy & Running'] as const)
          : (['warning', 'Running (Health Unknown)'] as const);
    const uptime = agent.uptime instanceof PyFloat ? agent.uptime.value : 0;
    out.status(level, `Agent: ${name}`, {
      Status: text,
      PID: agent.pid ?? 'N/A',
      Health: agent.health ?? 'unknown',
      Registered: agent.registered === true ? 'Yes' : 'No',
      Uptime: uptime > 0 ? `${formatFixed(uptime)}s` : undefined,
    });
  }
}

/** The `--verbose` tail, including the original's "No processes being tracked" line (§7.5, §13.1). */
function printPerformance(out: CliOutput, mesh: LocalMesh): void {
  out.print();
  out.info('Performance Metrics:');
  out.info('No processes being tracked');
  const alive = mesh.tracker.all();
  if (alive.length === 0) return;
  const bytes = alive.reduce((sum, record) => sum + (mesh.processes.residentBytes(record.pid) ?? 0), 0);
  out.print();
  out.info('Resource Usage:', {
    'Active Processes': alive.length,
    'Total Memory': `${formatFixed(bytes / 1048576)} MB`,
    'Average CPU': '0.0%',
  });
}

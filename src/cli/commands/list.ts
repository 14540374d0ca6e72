/** `mcp_mesh_dev list` (cli.md §7.6): what the registry knows, merged with the processes started here. */

import { formatFixed } from '../../shared/python/python-float.js';
import type { CommandArgs } from '../command-table.js';
import { loadConfig } from '../config/cli-config.js';
import type { CliContext, CliOutput } from '../context.js';
import { type PyValue, pyJson, titleCase } from '../output/python-values.js';
import { reportTo } from '../output/service-event-text.js';
import type { StatusLevel } from '../output/status-line.js';
import {
  findRegistration,
  healthOf,
  identityOf,
  type RegistryAgent,
} from '../registry/agent-registration.js';
import { fetchRegistryAgents, RegistryUnreachableError } from '../registry/registry-client.js';
import { type LocalMesh, openLocalMesh, registryUrl } from '../services/local-mesh.js';
import { uptimeSeconds } from '../state/process-tracker.js';

export type ListArgs = CommandArgs['list'];

type AgentInfo = Record<string, PyValue>;

function listOrEmpty(value: unknown): PyValue {
  return Array.isArray(value) ? (value as PyValue) : [];
}

/** A registry entry as the list shows it (§7.6 step 2). Current agents count resolutions as dependencies. */
function fromRegistry(entry: RegistryAgent, key: string): AgentInfo {
  const dependencies =
    Array.isArray(entry.dependencies) && entry.dependencies.length > 0
      ? entry.dependencies
      : entry.dependency_resolutions;
  return {
    name: typeof entry.name === 'string' && entry.name !== '' ? entry.name : key,
    status: 'registered',
    registered: true,
    health: healthOf(entry),
    capabilities: listOrEmpty(entry.capabilities),
    dependencies: listOrEmpty(dependencies),
    endpoint: (entry.endpoint as PyValue) ?? null,
    last_seen: (entry.last_seen as PyValue) ?? null,
    uptime: 'unknown',
    pid: null,
    process_status: 'unknown',
  };
}

async function buildAgentMap(out: CliOutput, mesh: LocalMesh): Promise<Map<string, AgentInfo>> {
  const map = new Map<string, AgentInfo>();
  const entries = new Map<string, RegistryAgent>();
  let listed: RegistryAgent[] = [];
  try {
    listed = await fetchRegistryAgents(registryUrl(mesh));
  } catch (error) {
    if (!(error instanceof RegistryUnreachableError)) throw error;
    out.log(`${error.message}: showing only the agents started here`);
  }
  for (const entry of listed) {
    const key = identityOf(entry);
    if (key === undefined) continue;
    // A restarted agent can leave an unhealthy entry under the same name: keep the healthy one.
    const previous = entries.get(key);
    if (previous && healthOf(previous) === 'healthy' && healthOf(entry) !== 'healthy') continue;
    entries.set(key, entry);
    map.set(key, fromRegistry(entry, key));
  }
  for (const record of mesh.tracker.byType('agent')) {
    const running = mesh.tracker.isAlive(record);
    const process = {
      uptime: `${formatFixed(uptimeSeconds(record))}s`,
      pid: record.pid,
      process_status: running ? 'running' : 'stopped',
      agent_file: record.metadata.agent_file,
      working_directory: record.metadata.working_directory,
    };
    const ports = running ? mesh.processes.listeningPorts(record.pid) : [];
    const registration = map.has(record.name)
      ? undefined
      : findRegistration([...entries.values()], { name: record.name, listeningPorts: ports });
    const match = map.has(record.name) ? record.name : registration && identityOf(registration);
    if (match !== undefined) Object.assign(map.get(match)!, process);
    else {
      map.set(record.name, {
        name: record.name,
        status: 'running_unregistered',
        registered: false,
        health: 'unknown',
        capabilities: [],
        dependencies: [],
        endpoint: null,
        last_seen: null,
        ...process,
      });
    }
  }
  return map;
}

/** `12.3s` / `4.5m` / `1.2h` from the stored one-decimal seconds (the double rounding is the original's). */
function displayUptime(stored: string): string {
  const seconds = Number.parseFloat(stored);
  if (seconds < 60) return `${formatFixed(seconds)}s`;
  if (seconds < 3600) return `${formatFixed(seconds / 60)}m`;
  return `${formatFixed(seconds / 3600)}h`;
}

function group(info: AgentInfo): number {
  const running = info.process_status === 'running';
  if (running && info.registered === true) return 0;
  if (running) return 1;
  return info.registered === true ? 2 : 3;
}

const STATUS_TEXT: [StatusLevel, string][] = [
  ['success', '\u{1f7e2} Running & Registered'],
  ['warning', '\u{1f7e1} Running (Unregistered)'],
  ['warning', '\u{1f7e1} Registered (Process Unknown)'],
  ['error', '\u{1f534} Stopped'],
];

function printText(out: CliOutput, map: Map<string, AgentInfo>): void {
  if (map.size === 0) {
    out.info('No agents found');
    out.print();
    out.info('To start an agent:');
    out.print('  mcp_mesh_dev start my_agent.py');
    out.print('  mcp_mesh_dev start --registry-only  # Registry only');
    return;
  }
  const infos = [...map.entries()];
  const count = (predicate: (info: AgentInfo) => boolean) =>
    `${infos.filter(([, i]) => predicate(i)).length}/${infos.length}`;
  out.info(`MCP Mesh Agents Summary (${infos.length} total):`, {
    Running: count((i) => i.process_status === 'running'),
    Registered: count((i) => i.registered === true),
    Healthy: count((i) => i.health === 'healthy'),
  });
  out.print();
  const sorted = infos
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => group(a.entry[1]) - group(b.entry[1]) || a.index - b.index);
  for (const {
    entry: [key, info],
  } of sorted) {
    const [level, text] = STATUS_TEXT[group(info)]!;
    const capabilities = Array.isArray(info.capabilities) ? info.capabilities.length : 0;
    const dependencies = Array.isArray(info.dependencies) ? info.dependencies.length : 0;
    out.status(level, `Agent: ${key}`, {
      Status: text,
      Health: typeof info.health === 'string' && info.health !== '' ? titleCase(info.health) : 'Unknown',
      PID: info.pid ? info.pid : undefined,
      Uptime:
        typeof info.uptime === 'string' && info.uptime !== 'unknown' ? displayUptime(info.uptime) : undefined,
      File: info.agent_file ? info.agent_file : undefined,
      Endpoint: info.endpoint ? info.endpoint : undefined,
      Capabilities: capabilities > 0 ? `${capabilities} available` : undefined,
      Dependencies: dependencies > 0 ? `${dependencies} required` : undefined,
    });
  }
  out.print();
  if (infos.some(([, info]) => info.process_status !== 'running')) {
    out.info('Quick actions:');
    out.print('  mcp_mesh_dev start <agent.py>      # Start stopped agent');
    out.print('  mcp_mesh_dev restart-agent <name>  # Restart specific agent');
  }
  out.print('  mcp_mesh_dev status                 # Detailed health information');
  out.print('  mcp_mesh_dev logs --agent <name>    # View agent logs');
  out.print('  mcp_mesh_dev list --json           # Export as JSON');
}

export async function run(args: ListArgs, ctx: CliContext): Promise<number> {
  try {
    const mesh = openLocalMesh(
      ctx,
      loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env }),
      reportTo(ctx.out),
    );
    // Checked before asking the registry, so a typo fails at once.
    const pattern = args.filter === undefined ? undefined : new RegExp(args.filter, 'i');
    let map = await buildAgentMap(ctx.out, mesh);
    if (pattern)
      map = new Map([...map].filter(([key, info]) => pattern.test(key) || pattern.test(String(info.status))));
    if (args.services && !args.agents) map = new Map();
    if (args.json) ctx.out.print(pyJson(Object.fromEntries(map)));
    else printText(ctx.out, map);
    return 0;
  } catch (error) {
    ctx.out.log(`Failed to list agents: ${(error as Error).message}`);
    return 1;
  }
}

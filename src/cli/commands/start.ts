/** `mcp_mesh_dev start [AGENT_FILE ...]` (cli.md §7.1). */

import { statSync } from 'node:fs';
import type { CommandArgs } from '../command-table.js';
import { type ConfigKey, loadConfig } from '../config/cli-config.js';
import type { CliContext, CliOutput } from '../context.js';
import { agentOutputPrefixes } from '../output/agent-output-prefix.js';
import { PyTuple, pyStr } from '../output/python-values.js';
import { reportTo } from '../output/service-event-text.js';
import { followLog, type LogFollower } from '../process/log-follower.js';
import { serviceLogPath } from '../process/service-log.js';
import { stopProcessTree, stopTrackedProcess } from '../process/stop-process.js';
import { IGNORE, type SupervisorEvent } from '../service-events.js';
import {
  agentNameOf,
  launchAgent,
  validateAgentFile,
  waitForRegistration,
} from '../services/agent-service.js';
import { type AgentSupervisor, superviseAgents } from '../services/agent-supervisor.js';
import { exclusively, type LocalMesh, openLocalMesh } from '../services/local-mesh.js';
import { ensureRegistry } from '../services/registry-service.js';
import type { ProcessRecord } from '../state/process-tracker.js';

export type StartArgs = CommandArgs['start'];

/** Flags → config keys (§3.5); a flag counts as given unless absent. */
function flagOverrides(args: StartArgs): Partial<Record<ConfigKey, unknown>> {
  const overrides: Partial<Record<ConfigKey, unknown>> = {};
  for (const key of [
    'registry_port',
    'registry_host',
    'db_path',
    'log_level',
    'health_check_interval',
    'startup_timeout',
  ] as const) {
    if (args[key] !== undefined) overrides[key] = args[key];
  }
  if (args.debug) overrides.debug_mode = true;
  if (args.background) overrides.enable_background = true;
  return overrides;
}

const HINTS = [
  '  mcp_mesh_dev status    # Check service health',
  '  mcp_mesh_dev list      # Show running agents',
  '  mcp_mesh_dev logs      # View logs',
  '  mcp_mesh_dev stop      # Stop all services',
];

export async function run(args: StartArgs, ctx: CliContext): Promise<number> {
  let mesh: LocalMesh;
  try {
    mesh = openLocalMesh(
      ctx,
      loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env, overrides: flagOverrides(args) }),
      reportTo(ctx.out),
    );
  } catch (error) {
    ctx.out.log(`Failed to start services: ${(error as Error).message}`);
    return 1;
  }
  // The registry this run may start sweeps at the interval asked for here (otherwise its own default).
  if (args.health_check_interval !== undefined || ctx.env.MCP_MESH_HEALTH_CHECK_INTERVAL) {
    mesh.registryHealthCheckInterval = mesh.config.health_check_interval;
  }
  // What a foreground run does while it waits: agents' output shown, agents kept running.
  const watching: { followers: LogFollower[]; supervisor?: AgentSupervisor } = { followers: [] };
  const stopWatching = async () => {
    await watching.supervisor?.stop();
    for (const follower of watching.followers.splice(0)) follower.stop();
  };
  // From here on this run owns services: a signal shuts them down (§8.3), even during start-up.
  ctx.onInterrupt(() => void stopWatching().then(() => shutDown(ctx, mesh).then(() => ctx.exit(0))));
  const { out } = ctx;
  const files = args.agent_files;
  const registryOnly = args.registry_only || files.length === 0;
  const { config } = mesh;
  out.info('Starting MCP Mesh services with configuration:', {
    Registry: `${config.registry_host}:${config.registry_port}`,
    Database: config.db_path,
    'Log Level': config.log_level,
    Mode: registryOnly ? 'Registry-only' : `Registry + ${files.length} agent(s)`,
    Background: args.background ? 'Yes' : undefined,
  });
  if (files.length > 0) out.info(`Agent files: ${files.join(', ')}`);
  const started: string[] = [];
  // Where each agent's log stands before this run, so a foreground run shows all it writes from now on.
  const logOffsets = new Map(files.map((file) => [agentNameOf(file), logSize(mesh, agentNameOf(file))]));
  let exitCode: number;
  try {
    // One run at a time decides what runs and starts it: two never both start a registry.
    exitCode = await exclusively(mesh, () => startServices(ctx.out, mesh, files, registryOnly, started));
  } catch (error) {
    out.error(`Failed to start services: ${(error as Error).message}`);
    exitCode = 1;
  }
  if (exitCode !== 0) {
    await stopWhatThisRunStarted(mesh, started);
    return exitCode;
  }
  if (args.background) return 0;
  out.print();
  out.info('Services started successfully. Use these commands:');
  for (const hint of HINTS) out.print(hint);
  out.print();
  out.info('Press Ctrl+C to stop all services');
  const agents = started.filter((name) => name !== 'registry');
  if (agents.length > 0) {
    const prefix = agentOutputPrefixes(agents, out.useColour);
    for (const name of agents) {
      const path = serviceLogPath(mesh.env, name);
      watching.followers.push(
        followLog(path, logOffsets.get(name) ?? 0, (line) => out.print(prefix(name) + line)),
      );
    }
    watching.supervisor = superviseAgents(
      mesh,
      agents,
      { restartOnExit: mesh.config.auto_restart, restartOnChange: mesh.config.watch_files },
      supervisorReport(out),
    );
  }
  // Wait for a signal; the handler above stops the services and exits.
  await new Promise(() => setInterval(() => {}, 1 << 30));
  return 0;
}

async function startServices(
  out: CliOutput,
  mesh: LocalMesh,
  files: string[],
  registryOnly: boolean,
  started: string[],
): Promise<number> {
  out.info('Starting registry service...');
  const hadRegistry = mesh.tracker.get('registry') !== undefined;
  const configuredPort = mesh.config.registry_port;
  const ready = await ensureRegistry(mesh);
  if (!ready) {
    // A registry this run spawned that never became ready is of no use to anyone: stop it.
    if (!hadRegistry && mesh.tracker.get('registry')) started.push('registry');
    out.error('Failed to start services: Failed to start or connect to registry');
    return 1;
  }
  // Agents launched from here on see the registry's port and whereabouts (§5.3 step 6).
  mesh = { ...mesh, config: ready.config, env: ready.env };
  const registry = ready.record;
  const { metadata } = registry;
  // The header shows the configured port (§7.1 step 3); when the registry is elsewhere, say so here,
  // before the agents are given its real address.
  if (typeof metadata.port === 'number' && metadata.port !== configuredPort) {
    out.warning(
      hadRegistry
        ? `Using the registry already running on port ${metadata.port} (configured port: ${configuredPort})`
        : `Port ${configuredPort} is already in use: the registry listens on port ${metadata.port} instead`,
    );
  }
  out.success('Registry service ready', {
    PID: registry.pid,
    Host: metadata.host,
    Port: metadata.port,
    URL: metadata.url,
  });
  if (registryOnly) {
    out.success('Registry-only mode: Ready for agent connections');
    return 0;
  }
  out.info(`Starting ${files.length} agent(s)...`);
  const launched = await launchAll(out, mesh, files, started);
  if (launched.length === 0) {
    out.warning('No agents were started successfully');
    return 1;
  }
  for (const record of launched) {
    out.success(`Agent ${record.name} started`, {
      PID: record.pid,
      File: record.metadata.agent_file,
      Registry: record.metadata.registry_url ?? null,
    });
  }
  out.info('Waiting for agent registration...');
  let registered = 0;
  for (const record of launched) {
    const isRegistered = await withProgress(out, record.name, mesh.config.startup_timeout, () =>
      waitForRegistration(mesh, record, mesh.config.startup_timeout),
    );
    if (isRegistered) {
      registered++;
      out.success(`Agent ${record.name} registered successfully`);
    } else {
      out.warning(`Agent ${record.name} did not register within timeout`);
    }
  }
  const total = launched.length;
  if (registered === total) out.success(`All ${total} agent(s) started and registered successfully`);
  else if (registered > 0) out.warning(`${registered}/${total} agent(s) registered successfully`);
  else {
    out.error('No agents registered successfully');
    return 1;
  }
  return 0;
}

/**
 * Launches the files in order. Their start-up windows overlap, but each file's messages are held
 * and written in argument order, as the original's one-by-one launch wrote them (§6.3).
 */
async function launchAll(
  out: CliOutput,
  mesh: LocalMesh,
  files: string[],
  started: string[],
): Promise<ProcessRecord[]> {
  const attempts: { name: string; flush(): void; settled: Promise<ProcessRecord> }[] = [];
  for (const file of files) {
    const name = agentNameOf(file);
    const buffer = out.buffered();
    const scoped: LocalMesh = { ...mesh, report: reportTo(buffer.out) };
    const alreadyRunning = mesh.tracker.get(name) !== undefined;
    let settled: Promise<ProcessRecord>;
    try {
      // Tracked before the next file is looked at, so a second file with the same stem sees it running.
      settled = (await launchAgent(scoped, validateAgentFile(scoped, file))).settled;
      if (!alreadyRunning) started.push(name);
    } catch (error) {
      settled = Promise.reject(error);
      settled.catch(() => {});
    }
    attempts.push({ name, flush: buffer.flush, settled });
  }
  const launched = new Map<string, ProcessRecord>();
  const failures: PyTuple[] = [];
  for (const attempt of attempts) {
    try {
      const record = await attempt.settled;
      attempt.flush();
      if (!launched.has(record.name)) launched.set(record.name, record);
    } catch (error) {
      attempt.flush();
      const message = (error as Error).message;
      out.log(`Failed to start agent ${attempt.name}: ${message}`);
      failures.push(new PyTuple(attempt.name, message));
    }
  }
  if (failures.length > 0) out.log(`Some agents failed to start: ${pyStr(failures)}`);
  return [...launched.values()];
}

/**
 * A failed `start` silently stops the agents it launched (§7.1 [DECIDE]); a registry that became
 * ready stays up for the next try, as the templates show.
 */
async function stopWhatThisRunStarted(mesh: LocalMesh, started: string[]): Promise<void> {
  for (const name of started) await stopTrackedProcess(mesh.tracker, mesh.processes, IGNORE, name, 5);
}

/**
 * The shutdown of a foreground `start` on a signal (§8.2): every tracked process with its
 * descendants, then the dead entries dropped. Nothing is printed unless entries were removed.
 */
async function shutDown(ctx: CliContext, mesh: LocalMesh): Promise<void> {
  const { out } = ctx;
  ctx.onInterrupt(() => out.log('Shutdown already in progress, ignoring signal'));
  const timer = setTimeout(() => {
    out.log('Graceful shutdown timed out, forcing exit');
    out.log('Forcing immediate shutdown');
    ctx.exit(1);
  }, 30_000);
  const dead = mesh.tracker.removeDead();
  if (dead.length > 0) out.print(`Removed ${dead.length} dead process entries`);
  for (const record of mesh.tracker.all()) {
    if (await stopProcessTree(mesh.processes, mesh.report, record.pid)) mesh.tracker.untrack(record.name);
  }
  clearTimeout(timer);
}

/** The size of an agent's log now (0 when there is none yet). */
function logSize(mesh: LocalMesh, name: string): number {
  try {
    return statSync(serviceLogPath(mesh.env, name)).size;
  } catch {
    return 0;
  }
}

const SPINNER = [
  '\u280b',
  '\u2819',
  '\u2839',
  '\u2838',
  '\u283c',
  '\u2834',
  '\u2826',
  '\u2827',
  '\u2807',
  '\u280f',
];

/**
 * Runs `wait` with a progress line on a terminal (a spinner, the agent, the seconds waited of the
 * timeout), erased when it ends; without a terminal, nothing is added.
 */
async function withProgress<T>(
  out: CliOutput,
  name: string,
  timeoutSeconds: number,
  wait: () => Promise<T>,
): Promise<T> {
  if (!out.isTty) return wait();
  const began = Date.now();
  let frame = 0;
  const draw = () => {
    const seconds = Math.floor((Date.now() - began) / 1000);
    out.progress(
      `${SPINNER[frame++ % SPINNER.length]} Waiting for ${name} to register (${seconds}s of ${timeoutSeconds}s)`,
    );
  };
  draw();
  const timer = setInterval(draw, 100);
  try {
    return await wait();
  } finally {
    clearInterval(timer);
    out.clearProgress();
  }
}

/** How a foreground run shows what it did to keep its agents running. */
function supervisorReport(out: CliOutput): (event: SupervisorEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'agent-file-changed':
        return out.info(`Agent ${event.name} changed: restarting it`, { File: event.file });
      case 'agent-exited-restarting':
        return out.warning(`Agent ${event.name} (PID ${event.pid}) exited: restarting it`);
      case 'agent-restarted':
        return out.success(`Agent ${event.name} restarted and registered`, { PID: event.pid });
      case 'agent-restarted-unregistered':
        return out.warning(`Agent ${event.name} restarted but did not register within timeout`, {
          PID: event.pid,
        });
      case 'agent-restart-given-up':
        return out.error(
          `Agent ${event.name} did not stay up after ${event.attempts} restarts: not restarting it again ` +
            `(mcp_mesh_dev restart-agent ${event.name} tries once more)`,
        );
      case 'agent-supervision-failed':
        return out.log(`Watching agents failed: ${event.reason}`);
    }
  };
}

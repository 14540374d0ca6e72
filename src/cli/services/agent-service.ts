/** Launching, watching, stopping and restarting agents (cli.md §6). */
import { accessSync, constants, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { PyFloat, type PyValue } from '../output/python-values.js';
import { launchService } from '../process/launch-service.js';
import { findPython } from '../process/python-interpreter.js';
import { openServiceLogFor, type ServiceLog, systemTempDir } from '../process/service-log.js';
import { stopTrackedProcess } from '../process/stop-process.js';
import { isRegisteredHealthy, type RegistryAgent } from '../registry/agent-registration.js';
import { fetchRegistryAgents, RegistryUnreachableError } from '../registry/registry-client.js';
import { localIsoTimestamp } from '../state/local-time.js';
import { type ProcessRecord, uptimeSeconds } from '../state/process-tracker.js';
import { childEnvironment } from './child-environment.js';
import { configuredRegistryUrl, type LocalMesh, registryUrl } from './local-mesh.js';
import { logTextSince } from './registry-service.js';

/** How long a fresh agent is watched: exiting within it is a start-up failure (§6.3 step 6). */
const STARTUP_WINDOW_MS = 1500;
const REGISTRATION_POLL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Python's `Path(path).stem`: the file name without its last extension. */
export function agentNameOf(path: string): string {
  const name = basename(path);
  const extension = extname(name);
  return extension === '' || extension === name ? name : name.slice(0, -extension.length);
}

/** §6.2: the file must exist, be a regular file and be readable; returns its absolute path. */
export function validateAgentFile(mesh: LocalMesh, path: string): string {
  const absolute = resolve(mesh.cwd, path);
  const fail = (problem: 'missing' | 'not-a-file' | 'unreadable'): never => {
    mesh.report({ type: 'agent-file-invalid', problem, path });
    throw new Error(`Invalid agent file: ${path}`);
  };
  let isFile: boolean;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    return fail('missing');
  }
  if (!isFile) fail('not-a-file');
  try {
    accessSync(absolute, constants.R_OK);
  } catch {
    fail('unreadable');
  }
  if (extname(absolute) !== '.py') mesh.report({ type: 'agent-file-not-python', path });
  return absolute;
}

/** The agent environment of §6.4 (built by `childEnvironment`), and the registry URL it names. */
function agentEnvironment(mesh: LocalMesh): {
  env: Record<string, string | undefined>;
  registryUrl: string | undefined;
} {
  const registry = mesh.tracker.registryStateValid() ? mesh.tracker.registryState() : undefined;
  if (!registry) mesh.report({ type: 'no-registry-environment' });
  const env = childEnvironment(mesh.env, {
    kind: 'agent',
    registry,
    configured: {
      url: configuredRegistryUrl(mesh.config),
      host: mesh.config.registry_host,
      port: mesh.config.registry_port,
    },
    debug: mesh.config.debug_mode,
    logLevel: mesh.config.log_level,
  });
  return { env, registryUrl: env.MCP_MESH_REGISTRY_URL };
}

/** A launched agent that is still being watched through its start-up window. */
export interface AgentLaunch {
  name: string;
  record: ProcessRecord;
  /** Resolves when the start-up window has passed; rejects with the §6.3 failure if it exited. */
  settled: Promise<ProcessRecord>;
}

/**
 * §6.3: starts the agent file (already validated) unless an agent of that name runs. The start-up
 * windows of several agents overlap; callers await `settled` in order, so messages keep their order.
 */
export async function launchAgent(mesh: LocalMesh, agentFile: string): Promise<AgentLaunch> {
  const name = agentNameOf(agentFile);
  const running = mesh.tracker.get(name);
  if (running) return { name, record: running, settled: Promise.resolve(running) };
  if (!mesh.tracker.registryStateValid()) {
    mesh.report({ type: 'registry-state-missing', name });
  }
  const { env, registryUrl: givenUrl } = agentEnvironment(mesh);
  // Failures from here on are logged here and again by the caller, as the original did (§6.3 step 7).
  const failed = (message: string): Error => {
    mesh.report({ type: 'agent-start-failed', name, reason: message });
    return new Error(message);
  };
  let argv: string[];
  let log: ServiceLog;
  let launched: Awaited<ReturnType<typeof launchService>>;
  try {
    argv = [findPython(mesh.env), agentFile];
    log = openServiceLogFor(mesh.env, name);
    if (log.refused !== undefined) mesh.report({ type: 'log-refused', name, reason: log.refused });
    launched = await launchService({
      argv,
      cwd: dirname(agentFile),
      env,
      log,
      tempDir: systemTempDir(mesh.env),
      keepStdinOpen: true,
    });
  } catch (error) {
    throw failed((error as Error).message);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolveExit) =>
    launched.child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolveExit();
    }),
  );
  const record = mesh.tracker.track({
    name,
    pid: launched.pid,
    command: argv,
    started_at: localIsoTimestamp(),
    service_type: 'agent',
    metadata: {
      agent_file: agentFile,
      working_directory: dirname(agentFile),
      registry_url: givenUrl ?? null,
    },
    process_start: mesh.processes.startToken(launched.pid),
  });
  const settled = Promise.race([exited, sleep(STARTUP_WINDOW_MS)]).then(() => {
    if (exitCode === undefined) return record;
    const output = logTextSince(log);
    mesh.report({ type: 'agent-exited', name, code: exitCode });
    // stdout and stderr share the agent's log file, so their text is reported together, once.
    if (output) mesh.report({ type: 'agent-output', name, output });
    if (MISSING_SDK.test(output)) mesh.report({ type: 'agent-missing-sdk', python: argv[0]! });
    mesh.tracker.untrack(name);
    // The failure repeats only the output's last line (a traceback's exception): the whole text was
    // just shown, and it would otherwise come back twice more and once as a Python repr (§6.3).
    throw failed(
      `Agent ${name} failed to start: ${lastLine(output) || `Process exited with code ${exitCode}`}`,
    );
  });
  settled.catch(() => {});
  return { name, record, settled };
}

/** The last non-blank line of a process's output, trimmed ('' when there is none). */
function lastLine(output: string): string {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? '';
}

/** The SDK's import names: `import mesh` in agents, `_mcp_mesh` inside it. */
const MISSING_SDK = /ModuleNotFoundError: No module named '(?:mesh|_mcp_mesh)(?:\.[\w.]+)?'/;

/** The agents the registry lists, or undefined when no registry answers (said once, on stderr). */
export async function registryAgents(mesh: LocalMesh): Promise<RegistryAgent[] | undefined> {
  try {
    return await fetchRegistryAgents(registryUrl(mesh));
  } catch (error) {
    if (error instanceof RegistryUnreachableError) return undefined;
    throw error;
  }
}

/** Whether the registry lists this tracked agent as healthy (§6.5, predicate in agent-registration.ts). */
export function isAgentRegistered(
  mesh: LocalMesh,
  record: ProcessRecord,
  agents: readonly RegistryAgent[],
): boolean {
  return isRegisteredHealthy(agents, {
    name: record.name,
    listeningPorts: mesh.processes.listeningPorts(record.pid),
  });
}

/** §6.5: polls the registry until the agent is registered and healthy, for up to `timeoutSeconds`. */
export async function waitForRegistration(
  mesh: LocalMesh,
  record: ProcessRecord,
  timeoutSeconds: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    const agents = (await registryAgents(mesh)) ?? [];
    if (isAgentRegistered(mesh, record, agents)) return true;
    await sleep(REGISTRATION_POLL_MS);
  }
  mesh.report({ type: 'agent-not-registered', name: record.name, seconds: timeoutSeconds });
  return false;
}

/** The agent status object of `status` (§6.6), keys in the original's order. */
export function agentStatus(
  mesh: LocalMesh,
  record: ProcessRecord,
  agents: readonly RegistryAgent[],
): Record<string, PyValue> {
  const running = mesh.tracker.isAlive(record);
  const healthy = running && isAgentRegistered(mesh, record, agents);
  return {
    status: running ? 'running' : 'stopped',
    pid: record.pid,
    uptime: running ? new PyFloat(uptimeSeconds(record)) : 0,
    agent_file: record.metadata.agent_file ?? 'unknown',
    working_directory: record.metadata.working_directory ?? 'unknown',
    registry_url: record.metadata.registry_url ?? 'unknown',
    health: healthy ? 'healthy' : 'unhealthy',
    // "Registered" is what the original reported for every running agent (§6.6, §13.1).
    registered: running,
    message: running
      ? `Agent ${record.name} is running and registered`
      : `Agent ${record.name} process has stopped`,
  };
}

/** Stops one agent (§6.7), logging the original's wrapper message on failure. */
export async function stopAgent(mesh: LocalMesh, name: string, timeoutSeconds: number): Promise<boolean> {
  const stopped = await stopTrackedProcess(mesh.tracker, mesh.processes, mesh.report, name, timeoutSeconds);
  if (!stopped) mesh.report({ type: 'agent-stop-failed', name });
  return stopped;
}

/**
 * §6.8: stop, wait 1 s, launch the same file, wait for registration (bounded by `startup_timeout`).
 * Resolves to the new record when registered, undefined otherwise (reasons logged).
 */
export async function restartAgent(
  mesh: LocalMesh,
  name: string,
  timeoutSeconds: number,
): Promise<ProcessRecord | undefined> {
  try {
    const record = mesh.tracker.get(name);
    if (!record) throw new Error(`Agent ${name} is not currently tracked`);
    const agentFile = record.metadata.agent_file;
    if (typeof agentFile !== 'string') throw new Error(`Agent ${name} missing agent_file metadata`);
    if (!(await stopTrackedProcess(mesh.tracker, mesh.processes, mesh.report, name, timeoutSeconds))) {
      mesh.report({ type: 'agent-stop-failed-restarting', name });
    }
    await sleep(1000);
    let launched: ProcessRecord;
    try {
      launched = await (await launchAgent(mesh, validateAgentFile(mesh, agentFile))).settled;
    } catch (error) {
      mesh.report({ type: 'agent-restart-failed', name, reason: (error as Error).message });
      throw error;
    }
    if (await waitForRegistration(mesh, launched, mesh.config.startup_timeout)) return launched;
    mesh.report({ type: 'agent-restart-unregistered', name });
    return undefined;
  } catch (error) {
    mesh.report({ type: 'agent-restart-failed', name, reason: (error as Error).message });
    return undefined;
  }
}

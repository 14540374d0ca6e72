/** Starting, checking, stopping and restarting the registry (cli.md §5). */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CliConfig } from '../config/cli-config.js';
import { PyFloat, type PyValue } from '../output/python-values.js';
import { launchService } from '../process/launch-service.js';
import { isPortBusy } from '../process/port-probe.js';
import { registryCommand } from '../process/registry-command.js';
import { openServiceLogFor, type ServiceLog, systemTempDir } from '../process/service-log.js';
import { stopTrackedProcess } from '../process/stop-process.js';
import { isRegistryHealthy } from '../registry/registry-client.js';
import { localIsoTimestamp } from '../state/local-time.js';
import { type ProcessRecord, uptimeSeconds } from '../state/process-tracker.js';
import { childEnvironment, type Environment, registryVariables } from './child-environment.js';
import { checkDatabase, createEmptyDatabase } from './database-check.js';
import { configuredRegistryUrl, type LocalMesh } from './local-mesh.js';

const REGISTRY = 'registry';
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Text a service wrote to its log since it was opened for it, decoded ('' when none is kept). */
export function logTextSince(log: ServiceLog): string {
  if (log.refused !== undefined) return '';
  try {
    return readFileSync(log.path).subarray(log.offset).toString('utf8');
  } catch {
    return '';
  }
}

/** §5.3 step 1: the database must be a usable SQLite file; a missing one is created empty. */
function prepareDatabase(mesh: LocalMesh, dbPath: string): void {
  const absolute = resolve(mesh.cwd, dbPath);
  const check = checkDatabase(absolute);
  if (check.status === 'error') throw new Error(`Database error: ${check.message}`);
  if (check.status === 'healthy') return;
  try {
    createEmptyDatabase(absolute);
  } catch (error) {
    mesh.report({ type: 'database-init-failed', dbPath, reason: (error as Error).message });
    throw new Error(`Failed to initialize database at ${dbPath}`);
  }
}

/** §5.3 step 2: the configured port, or the first free one of the next ten. */
async function choosePort(mesh: LocalMesh, host: string, port: number): Promise<number> {
  if (!(await isPortBusy(host, port))) return port;
  mesh.report({ type: 'port-in-use', port });
  for (let candidate = port + 1; candidate <= port + 10; candidate++) {
    if (!(await isPortBusy(host, candidate))) return candidate;
  }
  const message = `No available ports found in range ${port + 1}-${port + 11}`;
  mesh.report({ type: 'no-free-port', reason: message });
  throw new Error(message);
}

/** The database URL the registry is given: absolute, so it does not depend on how a URL's slashes are read. */
function registryDatabaseUrl(mesh: LocalMesh, dbPath: string): string {
  const absolute = resolve(mesh.cwd, dbPath);
  return isAbsolute(dbPath) || absolute.startsWith('/') ? `sqlite://${absolute}` : `sqlite:///${absolute}`;
}

/**
 * The CLI's environment with the registry's whereabouts, so agents launched later in this run
 * inherit them (§5.3 step 6); the environment as it was when no registry state is recorded.
 */
function environmentWithRegistry(mesh: LocalMesh): Environment {
  const state = mesh.tracker.registryState();
  return state ? { ...mesh.env, ...registryVariables(state) } : mesh.env;
}

/**
 * Waits until `GET /health` answers 200, the process exits, or `timeoutSeconds` pass (§5.4); the
 * original slept 2 s before looking, we poll. An exit is a start-up failure with its output.
 */
async function waitUntilReady(
  mesh: LocalMesh,
  url: string,
  timeoutSeconds: number,
  exited?: () => number | null | undefined,
): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (exited?.() !== undefined) return false;
    if (await isRegistryHealthy(url)) return true;
    await sleep(POLL_MS);
  }
  mesh.report({ type: 'registry-not-ready', seconds: timeoutSeconds });
  return false;
}

export interface RegistryStart {
  record: ProcessRecord;
  ready: boolean;
  /** The effective configuration: the registry's port when it had to move (§5.3 step 6). */
  config: CliConfig;
  /** The CLI's environment for what it launches next, with the registry's whereabouts. */
  env: Environment;
}

/** §5.3: spawns our registry on a free port, tracks it, and waits until it answers or dies. */
export async function startRegistry(
  mesh: LocalMesh,
  port = mesh.config.registry_port,
  dbPath = mesh.config.db_path,
): Promise<RegistryStart> {
  const alive = mesh.tracker.get(REGISTRY);
  if (alive) {
    const url = String(alive.metadata.url ?? configuredRegistryUrl(mesh.config));
    const ready = await waitUntilReady(mesh, url, mesh.config.startup_timeout);
    return { record: alive, ready, config: mesh.config, env: mesh.env };
  }
  prepareDatabase(mesh, dbPath);
  const host = mesh.config.registry_host;
  const actualPort = await choosePort(mesh, host, port);
  try {
    const url = `http://${host}:${actualPort}`;
    const argv = registryCommand(host, actualPort);
    const env = childEnvironment(mesh.env, {
      kind: 'registry',
      databaseUrl: registryDatabaseUrl(mesh, dbPath),
      healthCheckInterval: mesh.registryHealthCheckInterval,
    });
    const log = openServiceLogFor(mesh.env, REGISTRY);
    if (log.refused !== undefined) mesh.report({ type: 'log-refused', name: REGISTRY, reason: log.refused });
    const launched = await launchService({
      argv,
      cwd: mesh.cwd,
      env,
      log,
      tempDir: systemTempDir(mesh.env),
      keepStdinOpen: false,
    });
    let exitCode: number | null | undefined;
    launched.child.once('exit', (code, signal) => (exitCode = code ?? (signal ? -1 : null)));
    const record = mesh.tracker.track({
      name: REGISTRY,
      pid: launched.pid,
      command: argv,
      started_at: localIsoTimestamp(),
      service_type: 'registry',
      metadata: { host, port: actualPort, database_path: dbPath, url },
      process_start: mesh.processes.startToken(launched.pid),
    });
    mesh.tracker.setRegistryState({
      url,
      host,
      port: actualPort,
      database_path: dbPath,
      config: mesh.config,
    });
    const ready = await waitUntilReady(mesh, url, mesh.config.startup_timeout, () => exitCode);
    if (exitCode !== undefined) {
      const output = logTextSince(log).trim() || 'Unknown error';
      mesh.report({ type: 'registry-exited', output });
      mesh.tracker.untrack(REGISTRY);
      throw new Error(`Registry service failed to start: ${output}`);
    }
    const config = actualPort === port ? mesh.config : { ...mesh.config, registry_port: actualPort };
    return { record, ready, config, env: environmentWithRegistry(mesh) };
  } catch (error) {
    mesh.report({ type: 'registry-start-failed', reason: (error as Error).message });
    throw error;
  }
}

/** A registry that answers, with the configuration and environment to go on with. */
export interface ReadyRegistry {
  record: ProcessRecord;
  config: CliConfig;
  env: Environment;
}

/**
 * §5.2: reuse the tracked registry when it answers, otherwise start one. Undefined when it could
 * not be made ready (the reasons are already reported, §5.4).
 */
export async function ensureRegistry(mesh: LocalMesh): Promise<ReadyRegistry | undefined> {
  if (mesh.tracker.registryStateValid()) {
    const state = mesh.tracker.registryState()!;
    if (await isRegistryHealthy(state.url)) {
      const record = mesh.tracker.get(REGISTRY);
      return record && { record, config: mesh.config, env: environmentWithRegistry(mesh) };
    }
  }
  try {
    const { record, ready, config, env } = await startRegistry(mesh);
    if (ready) return { record, config, env };
    mesh.report({ type: 'registry-ready-timeout' });
  } catch (error) {
    mesh.report({ type: 'registry-unavailable', reason: (error as Error).message });
  }
  return undefined;
}

/** §5.5 */
export async function stopRegistry(mesh: LocalMesh, timeoutSeconds: number): Promise<boolean> {
  const stopped = await stopTrackedProcess(
    mesh.tracker,
    mesh.processes,
    mesh.report,
    REGISTRY,
    timeoutSeconds,
  );
  if (!stopped) mesh.report({ type: 'registry-stop-failed' });
  return stopped;
}

/** §5.6: stop, wait 1 s, start on the previous port and database unless `preserve` is off. */
export async function restartRegistry(
  mesh: LocalMesh,
  timeoutSeconds: number,
  preserve: boolean,
): Promise<RegistryStart> {
  const previous = preserve && mesh.tracker.registryStateValid() ? mesh.tracker.registryState() : undefined;
  await stopRegistry(mesh, timeoutSeconds);
  await sleep(1000);
  return startRegistry(mesh, previous?.port, previous?.database_path);
}

/** The registry status object of `status` (§5.7), keys in the original's order. */
export async function registryStatus(mesh: LocalMesh): Promise<Record<string, PyValue>> {
  const record = mesh.tracker.get(REGISTRY);
  const unknownDatabase = { status: 'unknown', message: 'No database path available' };
  if (!record) {
    return {
      status: 'not_running',
      health: 'unknown',
      message: 'Registry service is not tracked',
      database: unknownDatabase,
    };
  }
  const running = mesh.tracker.isAlive(record);
  const databasePath = record.metadata.database_path;
  const database =
    typeof databasePath === 'string'
      ? { ...checkDatabase(resolve(mesh.cwd, databasePath)) }
      : unknownDatabase;
  const status: Record<string, PyValue> = {
    status: running ? 'running' : 'stopped',
    pid: record.pid,
    uptime: running ? new PyFloat(uptimeSeconds(record)) : 0,
    host: record.metadata.host ?? 'unknown',
    port: record.metadata.port ?? 'unknown',
    url: record.metadata.url ?? 'unknown',
    database_path: databasePath ?? 'unknown',
    health: 'unhealthy',
    message: 'Registry service process has stopped',
    database: database as unknown as PyValue,
  };
  if (running) {
    mesh.tracker.setHealth(REGISTRY, 'healthy');
    // Asked where this registry listens (it may have moved port, §5.1 [DECIDE]), not the configured port.
    const healthy = await isRegistryHealthy(
      String(record.metadata.url ?? configuredRegistryUrl(mesh.config)),
    );
    status.health = healthy ? 'healthy' : 'unhealthy';
    status.message = healthy
      ? 'Registry service is healthy'
      : 'Registry service is not responding to health checks';
  }
  return status;
}

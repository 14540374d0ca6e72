/**
 * What every service operation of one CLI run shares: where it runs, configuration, tracker, OS
 * access. Not the output: services report events, and only commands print them.
 */
import type { CliConfig } from '../config/cli-config.js';
import type { CliContext } from '../context.js';
import { processControlFor } from '../process/platform-process-control.js';
import type { ProcessControl } from '../process/process-control.js';
import type { Report } from '../service-events.js';
import { ProcessTracker } from '../state/process-tracker.js';
import { withServicesLock } from '../state/services-lock.js';

export interface LocalMesh {
  /** The working directory: relative agent and database paths resolve against it. */
  cwd: string;
  /**
   * The environment agents and the registry inherit: the CLI's own, and once the registry runs the
   * copy with the registry variables (cli.md §5.3 step 6).
   */
  env: Readonly<Record<string, string | undefined>>;
  /** The effective configuration; `start` goes on with the one `ensureRegistry` returns (§5.3 step 6). */
  config: CliConfig;
  tracker: ProcessTracker;
  processes: ProcessControl;
  /** Where services send what happens; the command that opened the mesh decides how it is shown. */
  report: Report;
  /**
   * The health sweep interval a registry started now is given: set by `start` when
   * `--health-check-interval` or `MCP_MESH_HEALTH_CHECK_INTERVAL` names one; otherwise the
   * registry keeps its own default.
   */
  registryHealthCheckInterval?: number | undefined;
}

export function openLocalMesh(ctx: CliContext, config: CliConfig, report: Report): LocalMesh {
  const processes = processControlFor();
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    config,
    processes,
    report,
    tracker: ProcessTracker.forHome(ctx.home, processes, report),
  };
}

export function configuredRegistryUrl(config: CliConfig): string {
  return `http://${config.registry_host}:${config.registry_port}`;
}

/**
 * Where to ask the registry: the tracked registry's own URL while it is valid (it may have moved to
 * another port, §5.1 [DECIDE]), otherwise the configured host and port.
 */
export function registryUrl(mesh: LocalMesh): string {
  if (mesh.tracker.registryStateValid()) return mesh.tracker.registryState()!.url;
  return configuredRegistryUrl(mesh.config);
}

/**
 * Runs `work` as the only CLI of this home starting services (services-lock.ts), on a fresh read of
 * the process state: what another CLI started while this one waited is seen, reused, and kept.
 */
export function exclusively<T>(mesh: LocalMesh, work: () => Promise<T>): Promise<T> {
  return withServicesLock(
    mesh.tracker.servicesLock,
    mesh.processes,
    async () => {
      mesh.tracker.reload();
      return work();
    },
    (pid) => mesh.report({ type: 'services-locked', pid }),
  );
}

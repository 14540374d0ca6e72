/** What every service operation of one CLI run shares: context, configuration, tracker, OS access. */
import type { CliConfig } from '../config/cli-config.js';
import type { CliContext } from '../context.js';
import { processControlFor } from '../process/platform-process-control.js';
import type { ProcessControl } from '../process/process-control.js';
import type { Report } from '../service-events.js';
import { ProcessTracker } from '../state/process-tracker.js';

export interface LocalMesh {
  ctx: CliContext;
  /** The effective configuration; `start` goes on with the one `ensureRegistry` returns (§5.3 step 6). */
  config: CliConfig;
  tracker: ProcessTracker;
  processes: ProcessControl;
  /** Where services send what happens; the command that opened the mesh decides how it is shown. */
  report: Report;
}

export function openLocalMesh(ctx: CliContext, config: CliConfig, report: Report): LocalMesh {
  const processes = processControlFor();
  return {
    ctx,
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

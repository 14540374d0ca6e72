/** `mcp_mesh_dev restart-agent NAME` (cli.md §7.4, §6.8). */

import { formatFixed } from '../../shared/python/python-float.js';
import type { CommandArgs } from '../command-table.js';
import { loadConfig } from '../config/cli-config.js';
import type { CliContext } from '../context.js';
import { printAgentNotFound } from '../output/agent-not-found.js';
import { reportTo } from '../output/service-event-text.js';
import { findTracked } from '../services/agent-names.js';
import { restartAgent } from '../services/agent-service.js';
import { exclusively, type LocalMesh, openLocalMesh } from '../services/local-mesh.js';
import { uptimeSeconds } from '../state/process-tracker.js';

export type RestartAgentArgs = CommandArgs['restart-agent'];

export async function run(args: RestartAgentArgs, ctx: CliContext): Promise<number> {
  const { out } = ctx;
  const input = args.agent_name;
  let mesh: LocalMesh;
  try {
    mesh = openLocalMesh(ctx, loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env }), reportTo(ctx.out));
  } catch (error) {
    out.log(`Failed to restart agent: ${(error as Error).message}`);
    return 1;
  }
  let name = input;
  try {
    // `restart-agent provider.py` means the agent started from that file (its name is the stem).
    const record = findTracked(mesh.tracker, input);
    name = record?.name ?? input;
    out.info(`Restarting agent: ${name}`);
    if (!record) {
      return printAgentNotFound(out, mesh.tracker, `Agent '${name}' not found`);
    }
    out.info('Current agent status:', {
      PID: record.pid,
      Status: mesh.tracker.isAlive(record) ? 'running' : 'stopped',
      File: record.metadata.agent_file ?? null,
      Uptime: `${formatFixed(uptimeSeconds(record))}s`,
    });
    const restarted = await exclusively(mesh, () => restartAgent(mesh, name, args.timeout));
    if (!restarted) {
      out.warning(`Agent ${name} restarted but may not be fully ready`);
      return 1;
    }
    out.success(`Agent ${name} restarted successfully`, {
      'New PID': restarted.pid,
      Status: 'running and registered',
      File: restarted.metadata.agent_file,
    });
    return 0;
  } catch (error) {
    out.error(`Failed to restart agent ${name}: ${(error as Error).message}`);
    return 1;
  }
}

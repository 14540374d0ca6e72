/** `mcp_mesh_dev restart` — the registry only (cli.md §7.3, §5.6). */

import type { CommandArgs } from '../command-table.js';
import { loadConfig } from '../config/cli-config.js';
import type { CliContext } from '../context.js';
import { reportTo } from '../output/service-event-text.js';
import { exclusively, type LocalMesh, openLocalMesh } from '../services/local-mesh.js';
import { restartRegistry } from '../services/registry-service.js';

export type RestartArgs = CommandArgs['restart'];

export async function run(args: RestartArgs, ctx: CliContext): Promise<number> {
  const { out } = ctx;
  let mesh: LocalMesh;
  try {
    mesh = openLocalMesh(ctx, loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env }), reportTo(ctx.out));
  } catch (error) {
    out.log(`Failed to restart services: ${(error as Error).message}`);
    return 1;
  }
  out.info('Restarting MCP Mesh registry service...');
  try {
    // --reset-config means the current configuration, not the previous run's port and database (§5.6).
    const { record, ready } = await exclusively(mesh, () =>
      restartRegistry(mesh, args.timeout, !args.reset_config),
    );
    const { metadata } = record;
    out.success('Registry service restarted successfully', {
      PID: record.pid,
      Host: metadata.host,
      Port: metadata.port,
      URL: metadata.url,
    });
    if (!ready) out.warning('Registry service restarted but may not be fully ready');
    return 0;
  } catch (error) {
    out.error(`Failed to restart registry service: ${(error as Error).message}`);
    return 1;
  }
}

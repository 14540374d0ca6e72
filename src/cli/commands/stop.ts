/** `mcp_mesh_dev stop [--agent NAME]` (cli.md §7.2). */
import { loadConfig } from '../config/cli-config.js';
import type { CliContext } from '../context.js';
import { stopAgent } from '../services/agent-service.js';
import { openLocalMesh } from '../services/local-mesh.js';
import { stopRegistry } from '../services/registry-service.js';

export interface StopArgs {
  force: boolean;
  timeout: number;
  agent?: string;
}

export async function run(args: StopArgs, ctx: CliContext): Promise<number> {
  const { out } = ctx;
  try {
    const mesh = openLocalMesh(ctx, loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env }));
    if (args.agent !== undefined) {
      out.info(`Stopping agent: ${args.agent}`);
      if (!mesh.tracker.get(args.agent)) {
        out.error(`Agent '${args.agent}' not found or not running`);
        return 1;
      }
      if (await stopAgent(mesh, args.agent, args.timeout)) {
        out.success(`Agent ${args.agent} stopped successfully`);
        return 0;
      }
      out.error(`Failed to stop agent ${args.agent}`);
      return 1;
    }
    // --force only changes this word; termination is the same (§7.2, preserved).
    out.info(`Stopping all MCP Mesh services (${args.force ? 'force' : 'graceful'} mode)...`);
    const results: [string, boolean][] = [];
    for (const record of mesh.tracker.byType('agent')) {
      results.push([record.name, await stopAgent(mesh, record.name, args.timeout)]);
    }
    if (results.length > 0) {
      // Printed after the agents were stopped, as in the original.
      out.info(`Stopping ${results.length} agent(s)...`);
      for (const [name, stopped] of results) {
        if (stopped) out.success(`Agent ${name} stopped successfully`);
        else out.warning(`Agent ${name} may not have stopped cleanly`);
      }
    }
    out.info('Stopping registry service...');
    const registryStopped = await stopRegistry(mesh, args.timeout);
    if (registryStopped) out.success('Registry service stopped successfully');
    else out.warning('Registry service may not have stopped cleanly');
    results.push(['registry', registryStopped]);
    const successes = results.filter(([, stopped]) => stopped).length;
    const failures = results.length - successes;
    out.print();
    if (failures === 0) {
      out.success(`All services stopped successfully (${successes} total)`);
      return 0;
    }
    if (successes > 0) out.warning(`Partial success: ${successes} stopped, ${failures} had issues`);
    else out.error('Failed to stop services cleanly');
    return 1;
  } catch (error) {
    out.log(`Failed to stop services: ${(error as Error).message}`);
    return 1;
  }
}

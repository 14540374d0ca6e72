/** `mcp_mesh_dev stop [--agent NAME]` (cli.md §7.2). */

import type { CommandArgs } from '../command-table.js';
import { loadConfig } from '../config/cli-config.js';
import type { CliContext, CliOutput } from '../context.js';
import { printAgentNotFound } from '../output/agent-not-found.js';
import { reportTo } from '../output/service-event-text.js';
import { findTracked } from '../services/agent-names.js';
import { stopAgent } from '../services/agent-service.js';
import { type LocalMesh, openLocalMesh } from '../services/local-mesh.js';
import { stopRegistry } from '../services/registry-service.js';

export type StopArgs = CommandArgs['stop'];

/**
 * `stop --agent NAME`. A record whose process has already ended is stale: it is removed and that is
 * reported, not an error (the process is stopped, which is what was asked).
 */
async function stopOneAgent(
  out: CliOutput,
  mesh: LocalMesh,
  input: string,
  timeout: number,
): Promise<number> {
  out.info(`Stopping agent: ${input}`);
  const stale = mesh.tracker.stale().records.find((record) => record.name === input);
  if (stale) {
    mesh.tracker.forgetStale();
    out.info(`Agent ${input} was not running; removed its stale record`);
    return 0;
  }
  const record = findTracked(mesh.tracker, input);
  if (!record) {
    return printAgentNotFound(out, mesh.tracker, `Agent '${input}' not found or not running`);
  }
  if (await stopAgent(mesh, record.name, timeout)) {
    out.success(`Agent ${record.name} stopped successfully`);
    return 0;
  }
  out.error(`Failed to stop agent ${record.name}`);
  return 1;
}

export async function run(args: StopArgs, ctx: CliContext): Promise<number> {
  const { out } = ctx;
  try {
    const mesh = openLocalMesh(
      ctx,
      loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env }),
      reportTo(ctx.out),
    );
    if (args.agent !== undefined) return await stopOneAgent(ctx.out, mesh, args.agent, args.timeout);
    const stale = mesh.tracker.stale();
    const hadHistory = mesh.tracker.hasHistory();
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
    // Records of processes that had already ended (a crash, a reboot, a kill): stopped, so no error.
    const staleAgents = stale.records.filter((record) => record.service_type === 'agent');
    for (const record of staleAgents) {
      out.info(`Agent ${record.name} was not running; removed its stale record`);
      results.push([record.name, true]);
    }
    out.info('Stopping registry service...');
    if (mesh.tracker.get('registry')) {
      const registryStopped = await stopRegistry(mesh, args.timeout);
      if (registryStopped) out.success('Registry service stopped successfully');
      else out.warning('Registry service may not have stopped cleanly');
      results.push(['registry', registryStopped]);
    } else if (stale.registryState || stale.records.some((record) => record.name === 'registry')) {
      out.info('Registry service was not running; removed its stale record');
      results.push(['registry', true]);
    } else if (hadHistory) {
      // Everything this home ran was stopped before (a clean Ctrl-C of `start`, an earlier `stop`).
      out.info('Registry service is not running');
    } else {
      // Nothing was ever tracked here: the original's answer, kept (§7.2, §13.1).
      results.push(['registry', await stopRegistry(mesh, args.timeout)]);
      out.warning('Registry service may not have stopped cleanly');
    }
    mesh.tracker.forgetStale();
    const successes = results.filter(([, stopped]) => stopped).length;
    const failures = results.length - successes;
    out.print();
    if (results.length === 0) {
      out.success('No MCP Mesh services were running');
      return 0;
    }
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

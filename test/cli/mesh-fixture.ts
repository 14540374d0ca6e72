/** A running local mesh for CLI tests: our registry and stand-in agents started by the CLI itself. */

import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { type CliResult, type CliSandbox, finished } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';

/**
 * Extra `start` arguments for tests whose point is not the start-up timeout: the registry may need
 * more than the fixture's 3 s on a loaded machine (stand-in agents that register do so at once).
 */
export const SLOW_MACHINE = ['--startup-timeout', '20'];

export interface RunningMesh {
  port: number;
  pids: Record<string, number>;
}

/**
 * `mcp_mesh_dev start --background --registry-port <free>` with stand-in agents of these names
 * (`good_agent` registers; names listed in the sandbox's STAND_IN_SILENT stay unregistered).
 */
export async function startMesh(
  sandbox: CliSandbox,
  agentNames: string[] = [],
  extraArgs: string[] = [],
): Promise<RunningMesh> {
  const port = await freePort();
  const files = agentNames.map((name) => sandbox.addAgent(`${name}.py`));
  const result = await sandbox.run([
    'start',
    '--background',
    '--registry-port',
    String(port),
    '--startup-timeout',
    '3',
    ...extraArgs,
    ...files,
  ]);
  expect(result.stdout).toContain('Registry service ready');
  const pids = Object.fromEntries(
    Object.entries(sandbox.tracked().processes).map(([name, record]) => [name, record.pid]),
  );
  return { port, pids };
}

export interface ForegroundMesh {
  port: number;
  child: ChildProcess;
  /** Settles when the CLI has exited. */
  done: Promise<CliResult>;
}

/**
 * `mcp_mesh_dev start --registry-port <free> [files]` in the foreground, once it says
 * "Press Ctrl+C to stop all services".
 */
export async function startForeground(sandbox: CliSandbox, files: string[] = []): Promise<ForegroundMesh> {
  const port = await freePort();
  const child = sandbox.spawn(['start', '--registry-port', String(port), ...files]);
  const done = finished(child);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  await expect
    .poll(() => stdout, { timeout: 30_000, interval: 100 })
    .toContain('Press Ctrl+C to stop all services');
  return { port, child, done };
}

/** Registers an agent with the legacy API and marks it healthy with one heartbeat. */
export async function registerLegacyAgent(
  port: number,
  agentId: string,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect(
    (await post('/agents/register_with_metadata', { agent_id: agentId, timestamp: 'now', metadata })).status,
  ).toBe(201);
  expect((await post('/heartbeat', { agent_id: agentId, status: 'healthy', metadata: {} })).status).toBe(200);
}

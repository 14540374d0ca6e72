/**
 * Two `mcp_mesh_dev start` runs of one home at the same moment (issue 18): one registry between
 * them, every agent tracked, nothing orphaned.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, CliSandbox } from '../helpers/cli-process.js';
import { freePort, isAlive } from '../helpers/free-port.js';

/** The PID in the "Registry service ready" block of a `start` output. */
function readyRegistryPid(result: CliResult): number {
  const match = /Registry service ready\n\s+PID: (\d+)/.exec(result.stdout);
  if (!match) throw new Error(`no ready block in:\n${result.stdout}${result.stderr}`);
  return Number(match[1]);
}

describe('concurrent starts', () => {
  it('start one registry between them and keep both agents', async () => {
    using sandbox = new CliSandbox();
    const port = String(await freePort());
    // The state file's lock, held by this (live) test process for a while: both runs get as far as
    // their first change of the state, so both have looked for a registry before either records one.
    const stateLock = join(sandbox.home, '.mcp_mesh', 'processes.json.lock');
    mkdirSync(dirname(stateLock), { recursive: true });
    writeFileSync(stateLock, `${process.pid}\n`);
    const runs = ['first_agent', 'second_agent'].map((name) =>
      sandbox.run([
        'start',
        '--background',
        '--registry-port',
        port,
        '--startup-timeout',
        '20',
        sandbox.addAgent(`${name}.py`),
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 4000));
    rmSync(stateLock);
    const [first, second] = await Promise.all(runs);
    for (const result of [first!, second!]) {
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    }
    const registry = readyRegistryPid(first!);
    expect(readyRegistryPid(second!)).toBe(registry);
    const { processes } = sandbox.tracked();
    expect(Object.keys(processes).sort()).toEqual(['first_agent', 'registry', 'second_agent']);
    expect(processes.registry!.pid).toBe(registry);
    for (const record of Object.values(processes))
      expect(isAlive(record.pid), record.command.join(' ')).toBe(true);
    // One of them waited for the other rather than deciding on what it had read before.
    expect(`${first!.stderr}${second!.stderr}`).toMatch(
      /Waiting for another mcp_mesh_dev \(PID \d+\) to finish starting services/,
    );

    const stop = await sandbox.run(['stop']);
    expect(stop.code, `${stop.stdout}${stop.stderr}`).toBe(0);
    expect(isAlive(registry)).toBe(false);
  });
});

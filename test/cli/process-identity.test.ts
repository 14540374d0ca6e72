/**
 * Which process a record names (issue 18): the OS's start of the process, not a wall-clock string,
 * so a time-zone change (or a clock step) between `start` and `stop` leaves no service orphaned.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { isAlive } from '../helpers/free-port.js';
import { SLOW_MACHINE, startMesh } from './mesh-fixture.js';

describe('process identity', () => {
  it('stops what it started after the time zone changed', async () => {
    // UTC at start, UTC+14 at stop: the same instants read 14 hours apart as local times.
    using sandbox = new CliSandbox({ TZ: 'UTC' });
    const { pids } = await startMesh(sandbox, ['good_agent'], SLOW_MACHINE);
    const records = sandbox.tracked().processes;
    expect(Object.keys(records)).toEqual(['registry', 'good_agent']);
    for (const record of Object.values(records)) {
      expect((record as { process_start?: string }).process_start).toMatch(/^linux:[\w-]*:\d+$/);
    }

    const status = await sandbox.run(['status', '--json'], { TZ: 'Pacific/Kiritimati' });
    // The JSON document alone (the original printed a status line before it, §7.5).
    const parsed = JSON.parse(status.stdout) as {
      agents: Record<string, { status: string }>;
    };
    expect(parsed.agents.good_agent?.status).toBe('running');

    const stop = await sandbox.run(['stop'], { TZ: 'Pacific/Kiritimati' });
    expect(stop.code, `${stop.stdout}${stop.stderr}`).toBe(0);
    expect(stop.stdout).toContain('✓ SUCCESS: Agent good_agent stopped successfully');
    expect(stop.stdout).toContain('✓ SUCCESS: Registry service stopped successfully');
    await expect.poll(() => Object.values(pids).some(isAlive), { timeout: 5000 }).toBe(false);
  });

  it('never signals a process that took over a tracked PID, whatever its start time reads', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent'], SLOW_MACHINE);
    // The record claims a process that started under another identity: a recycled PID.
    const path = `${sandbox.home}/.mcp_mesh/processes.json`;
    const file = JSON.parse(readFileSync(path, 'utf8')) as {
      processes: Record<string, { process_start: string }>;
    };
    file.processes.good_agent!.process_start = 'linux:another-boot:1';
    writeFileSync(path, JSON.stringify(file));
    const stop = await sandbox.run(['stop', '--agent', 'good_agent']);
    expect(stop.stdout).toContain('Agent good_agent was not running; removed its stale record');
    expect(isAlive(pids.good_agent!)).toBe(true);
    process.kill(pids.good_agent!, 'SIGKILL');
  });
});

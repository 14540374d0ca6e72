import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliOutput } from '../../../src/cli/context.js';
import { processControlFor } from '../../../src/cli/process/process-control.js';
import { localIsoTimestamp } from '../../../src/cli/state/local-time.js';
import { ProcessTracker } from '../../../src/cli/state/process-tracker.js';
import { CliSandbox } from '../../helpers/cli-process.js';
import { isAlive } from '../../helpers/free-port.js';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const tracker = (path: string) =>
  new ProcessTracker(path, processControlFor(), new CliOutput(quiet, quiet, false));

describe('process tracking (cli.md §4)', () => {
  it('keeps both changes when two CLIs write at once', () => {
    using sandbox = new CliSandbox();
    const path = join(sandbox.home, 'processes.json');
    const first = tracker(path);
    const second = tracker(path);
    expect(first.all()).toEqual([]);
    expect(second.all()).toEqual([]);
    const record = (name: string) => ({
      name,
      pid: process.pid,
      command: ['x'],
      started_at: localIsoTimestamp(new Date(Date.now() - process.uptime() * 1000)),
      service_type: 'agent' as const,
      metadata: {},
    });
    first.track(record('one'));
    second.track(record('two'));
    const stored = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(stored.processes)).toEqual(['one', 'two']);
    expect(
      tracker(path)
        .all()
        .map((r) => r.name),
    ).toEqual(['one', 'two']);
  });

  it('never signals a process that only reuses a tracked PID', async () => {
    using sandbox = new CliSandbox();
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const path = join(sandbox.home, '.mcp_mesh', 'processes.json');
      const state = {
        processes: {
          ghost: {
            name: 'ghost',
            pid: stranger.pid,
            command: ['python3', 'ghost.py'],
            started_at: '2020-01-01T00:00:00',
            service_type: 'agent',
            metadata: {},
          },
        },
        registry_state: {},
        last_updated: '2020-01-01T00:00:00',
      };
      mkdirSync(join(sandbox.home, '.mcp_mesh'), { recursive: true });
      writeFileSync(path, JSON.stringify(state));
      const result = await sandbox.run(['stop', '--agent', 'ghost']);
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
      expect(result.stdout).toBe(
        "ℹ INFO: Stopping agent: ghost\n✗ ERROR: Agent 'ghost' not found or not running\n",
      );
      expect(isAlive(stranger.pid!)).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

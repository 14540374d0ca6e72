import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processControlFor } from '../../../src/cli/process/platform-process-control.js';
import { IGNORE } from '../../../src/cli/service-events.js';
import { localIsoTimestamp } from '../../../src/cli/state/local-time.js';
import { ProcessTracker } from '../../../src/cli/state/process-tracker.js';
import { CliSandbox, finished } from '../../helpers/cli-process.js';
import { isAlive } from '../../helpers/free-port.js';

/** The compiled CLI modules (`npm run build`), as the executable runs them. */
const DIST = fileURLToPath(new URL('../../../dist/cli/', import.meta.url));

const tracker = (path: string) => new ProcessTracker(path, processControlFor(), IGNORE);

/**
 * One writer process: the built tracker (what the CLI runs), `count` tracks then untracks of the even
 * names, started at a shared instant. argv: path, writer, count, pid, started_at, go-at (epoch ms).
 */
const WRITER = `
const dist = ${JSON.stringify(DIST)};
const { ProcessTracker } = await import(dist + 'state/process-tracker.js');
const { processControlFor } = await import(dist + 'process/platform-process-control.js');
const [path, writer, count, pid, startedAt, goAt] = process.argv.slice(1);
const report = (event) => console.error(JSON.stringify(event));
const tracker = new ProcessTracker(path, processControlFor(), report);
while (Date.now() < Number(goAt)) {}
const names = Array.from({ length: Number(count) }, (_, i) => 'w' + writer + '-' + i);
for (const name of names) {
  tracker.track({ name, pid: Number(pid), command: ['x'], started_at: startedAt, service_type: 'agent', metadata: {} });
}
names.forEach((name, i) => { if (i % 2 === 0) tracker.untrack(name); });
`;

describe('process tracking (cli.md §4)', () => {
  it('keeps every change when several CLIs write at the same moment', async () => {
    using sandbox = new CliSandbox();
    // Not under HOME: the sandbox's clean-up would SIGKILL the PIDs tracked there, this process's.
    const path = join(sandbox.root, 'state', 'processes.json');
    // Records name this (live) test process, so no writer drops another's records as dead.
    const startedAt = localIsoTimestamp(new Date(Date.now() - process.uptime() * 1000));
    const writers = 4;
    const perWriter = 60;
    // Each writer is its own process, like a CLI: it tracks `perWriter` names, then untracks
    // the even ones. All start at the same instant, so their read-change-write cycles interleave.
    const goAt = Date.now() + 1500;
    const children = Array.from({ length: writers }, (_, writer) =>
      finished(
        spawn(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            WRITER,
            path,
            String(writer),
            String(perWriter),
            String(process.pid),
            startedAt,
            String(goAt),
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        ),
      ),
    );
    for (const result of await Promise.all(children)) {
      expect(result.code, result.stderr).toBe(0);
    }
    const expected = Array.from({ length: writers }, (_, writer) =>
      Array.from({ length: perWriter }, (_, i) => `w${writer}-${i}`).filter((_, i) => i % 2 === 1),
    ).flat();
    const stored = JSON.parse(readFileSync(path, 'utf8')) as { processes: Record<string, unknown> };
    expect(Object.keys(stored.processes).sort()).toEqual(expected.sort());
    expect(
      tracker(path)
        .all()
        .map((record) => record.name)
        .sort(),
    ).toEqual(expected.sort());
  });

  it('breaks a lock left by a CLI that died while holding it', async () => {
    using sandbox = new CliSandbox();
    const path = join(sandbox.root, 'state', 'processes.json');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    mkdirSync(join(sandbox.root, 'state'), { recursive: true });
    writeFileSync(`${path}.lock`, `${dead.pid}\n`);
    const started = Date.now();
    tracker(path).track({
      name: 'one',
      pid: process.pid,
      command: ['x'],
      started_at: localIsoTimestamp(new Date(Date.now() - process.uptime() * 1000)),
      service_type: 'agent',
      metadata: {},
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).processes)).toEqual(['one']);
    expect(existsSync(`${path}.lock`)).toBe(false);
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
      // Our agent is gone (its PID now belongs to another process): a stale record, removed.
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toBe(
        'ℹ INFO: Stopping agent: ghost\nℹ INFO: Agent ghost was not running; removed its stale record\n',
      );
      expect(isAlive(stranger.pid!)).toBe(true);
      expect(sandbox.tracked().processes).toEqual({});
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

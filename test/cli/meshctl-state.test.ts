/**
 * Living beside the upstream Go CLI `meshctl` (npm `@mcpmesh/cli-linux-x64` 3.7.1), which keeps its
 * state in `~/.mcp-mesh/` and moves our `~/.mcp_mesh/processes.json` there. The real binary runs
 * against the sandbox HOME.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, CliSandbox, finished } from '../helpers/cli-process.js';
import { freePort, isAlive } from '../helpers/free-port.js';
import { ensureMeshctl } from '../helpers/python-env.js';
import { startMesh } from './mesh-fixture.js';

let meshctl: string;

beforeAll(async () => {
  ({ meshctl } = await ensureMeshctl());
}, 900_000);

/** Runs meshctl with the sandbox's HOME; its registry binary sits beside it and is found on PATH. */
function meshctlSpawn(sandbox: CliSandbox, argv: string[]) {
  const env = sandbox.env({ PATH: `${dirname(meshctl)}:${process.env.PATH ?? ''}` });
  return spawn(meshctl, argv, { cwd: sandbox.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function runMeshctl(sandbox: CliSandbox, argv: string[]): Promise<CliResult> {
  return finished(meshctlSpawn(sandbox, argv), 60_000);
}

/** Every PID a state file names (ours or meshctl's format); none when it is missing or unreadable. */
function pidsIn(file: string): number[] {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8'));
    const records = Array.isArray(state) ? state : Object.values(state.processes ?? {});
    return records.map((record: { pid?: unknown }) => record.pid).filter((pid) => typeof pid === 'number');
  } catch {
    return [];
  }
}

/** Safety net for a failed test: whatever either CLI tracked in this home is killed. */
function killEverything(home: string): void {
  const files = [
    '.mcp_mesh/processes.json',
    '.mcp-mesh/processes.json',
    '.mcp-mesh/processes.mcp_mesh_dev.json',
  ];
  killAll(files.flatMap((file) => pidsIn(join(home, file))));
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

describe('state shared with the upstream meshctl', () => {
  it('still stops every tracked process after meshctl moved the state to ~/.mcp-mesh', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    try {
      const ours = join(sandbox.home, '.mcp_mesh', 'processes.json');
      const theirs = join(sandbox.home, '.mcp-mesh', 'processes.json');
      const list = await runMeshctl(sandbox, ['list']);
      expect(list.code, `${list.stdout}${list.stderr}`).toBe(0);
      // What meshctl 3.7.1 does: our file is now in its directory.
      expect(existsSync(ours)).toBe(false);
      expect(Object.keys(JSON.parse(readFileSync(theirs, 'utf8')).processes)).toEqual([
        'registry',
        'good_agent',
      ]);

      const status = await sandbox.run(['status', '--json']);
      expect(status.code, status.stderr).toBe(0);
      const report = JSON.parse(status.stdout);
      expect(report.registry.pid).toBe(pids.registry);
      expect(Object.keys(report.agents)).toEqual(['good_agent']);

      const stop = await sandbox.run(['stop']);
      expect(stop.code, `${stop.stdout}${stop.stderr}`).toBe(0);
      expect(stop.stdout).toContain('✓ SUCCESS: All services stopped successfully (2 total)');
      expect(isAlive(pids.registry!)).toBe(false);
      expect(isAlive(pids.good_agent!)).toBe(false);

      // meshctl has its own (empty) state back and no longer moves ours.
      expect(JSON.parse(readFileSync(theirs, 'utf8'))).toMatchObject({ processes: {}, config_version: 1 });
      const again = await runMeshctl(sandbox, ['list']);
      expect(again.code).toBe(0);
      expect(again.stderr).toBe('');
      expect(existsSync(ours)).toBe(true);
    } finally {
      killAll(Object.values(pids));
      killEverything(sandbox.home);
    }
  });

  it('keeps its own records and meshctl’s apart when ~/.mcp_mesh is a symlink to ~/.mcp-mesh', {
    timeout: 60_000,
  }, async () => {
    using sandbox = new CliSandbox();
    const shared = join(sandbox.home, '.mcp-mesh');
    mkdirSync(shared);
    symlinkSync(shared, join(sandbox.home, '.mcp_mesh'));
    await startMesh(sandbox);
    let child: ReturnType<typeof meshctlSpawn> | undefined;
    let done: Promise<unknown> | undefined;
    try {
      // Our records are in a file of their own: processes.json is meshctl's.
      const ourFile = join(shared, 'processes.mcp_mesh_dev.json');
      const ourRegistry = JSON.parse(readFileSync(ourFile, 'utf8')).processes.registry.pid as number;
      // meshctl runs its own registry in the shared directory and records it in processes.json.
      const theirPort = await freePort();
      child = meshctlSpawn(sandbox, ['start', '--registry-only', '--registry-port', String(theirPort)]);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
      done = finished(child, 60_000);
      const theirFile = join(shared, 'processes.json');
      await expect
        .poll(() => output, { timeout: 20_000, message: 'meshctl start --registry-only' })
        .toContain('Registry is running');
      const theirState = readFileSync(theirFile, 'utf8');
      const theirRegistry = JSON.parse(theirState).processes.registry.pid as number;

      const status = await sandbox.run(['status', '--json']);
      const report = JSON.parse(status.stdout);
      expect(report.registry).toMatchObject({ status: 'running', pid: ourRegistry });
      const stop = await sandbox.run(['stop']);
      expect(stop.code, `${stop.stdout}${stop.stderr}`).toBe(0);
      expect(isAlive(ourRegistry)).toBe(false);
      // meshctl's registry and its record are untouched.
      expect(isAlive(theirRegistry)).toBe(true);
      expect(readFileSync(theirFile, 'utf8')).toBe(theirState);
    } finally {
      // meshctl's own graceful stop is not under test; waiting for it only costs time under load.
      // Its registry holds meshctl's output pipes, so it goes first for `done` to settle.
      child?.kill('SIGKILL');
      killEverything(sandbox.home);
      await done?.catch(() => {});
    }
  });
});

/**
 * `npm start` under a process manager: the manager knows only the npm process and stops it with
 * SIGTERM. npm passes the signal to the shell running the script; unless that shell has replaced
 * itself with the registry (`exec`), the registry never gets it and keeps running, orphaned, on
 * its port.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { waitFor } from '../e2e/agent-process.js';
import { freePort, isAlive } from '../helpers/free-port.js';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Every live process below `root` in the process tree. */
function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parentOf.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  for (const pid of parentOf.keys()) {
    for (let up = parentOf.get(pid); up !== undefined && up > 1; up = parentOf.get(up)) {
      if (up === root) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return [];
  }
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('stops the registry when the npm process running `npm start` gets SIGTERM', async () => {
  using dir = tempDir('mesh-npm-start-');
  const port = await freePort();
  // --ignore-scripts skips `prestart` (the build): dist/ is built, and rebuilding it here would
  // rewrite files that the other suites are running from. `start` itself still runs.
  const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'mesh.db')}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  let started: number[] = [];
  try {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health`)).status,
      (status) => status === 200,
      30_000,
      `the registry of npm start on port ${port}`,
    );
    started = descendantsOf(npm.pid!);
    // The registry itself: node running bin/mcp-mesh-registry (not a shell whose script names it).
    const registry = started.filter((pid) => {
      const [program = '', ...args] = argvOf(pid);
      return basename(program) === 'node' && args.some((arg) => arg.endsWith('bin/mcp-mesh-registry'));
    });
    expect(registry, output).toHaveLength(1);

    npm.kill('SIGTERM');
    await npmExited;
    const stillRunning = await waitFor(
      async () => started.filter(isAlive),
      (pids) => pids.length === 0,
      10_000,
      'every process npm start began to end',
    ).catch(() => started.filter(isAlive));
    expect(stillRunning.map((pid) => argvOf(pid).join(' '))).toEqual([]);
    expect(await acceptsConnections(port)).toBe(false);
  } finally {
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    for (const pid of started.filter(isAlive)) process.kill(pid, 'SIGKILL');
  }
}, 60_000);

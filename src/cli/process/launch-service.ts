/**
 * Starts a registry or agent process that outlives the CLI (cli.md §8.3 [DECIDE]): its own session,
 * output appended to a log file that `logs` reads, and for agents a stdin that never reaches EOF
 * (MCP stdio servers exit on EOF) — a FIFO the child holds open for reading and writing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceLog } from './service-log.js';

export interface LaunchRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Where its output goes (opened by `openServiceLogFor`; closed here once the child has it). */
  log: ServiceLog;
  /** Where the stdin FIFO is made (the system temp directory). */
  tempDir: string;
  /** Agents: keep stdin open forever. The registry reads nothing. */
  keepStdinOpen: boolean;
}

export interface LaunchedService {
  child: ChildProcess;
  pid: number;
}

/** The FIFO is made in a fresh private directory (mkdtemp, 0700) and removed once opened. */
function neverEndingStdin(tempDir: string): number | 'ignore' {
  if (process.platform === 'win32') return 'ignore';
  let directory: string | undefined;
  try {
    directory = mkdtempSync(join(tempDir, 'mcp_mesh-stdin-'));
    const fifo = join(directory, 'stdin');
    execFileSync('mkfifo', ['-m', '600', fifo], { stdio: 'ignore' });
    // Opened read-write: the child holds a writer itself, so its reads block instead of seeing EOF.
    return openSync(fifo, fsConstants.O_RDWR | (fsConstants.O_NOFOLLOW ?? 0));
  } catch {
    return 'ignore';
  } finally {
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

export async function launchService(request: LaunchRequest): Promise<LaunchedService> {
  const output = request.log.fd ?? 'ignore';
  const stdin = request.keepStdinOpen ? neverEndingStdin(request.tempDir) : 'ignore';
  let child: ChildProcess;
  try {
    const [command, ...args] = request.argv as [string, ...string[]];
    child = spawn(command, args, {
      cwd: request.cwd,
      env: request.env as NodeJS.ProcessEnv,
      stdio: [stdin, output, output],
      // Its own session on POSIX (a terminal's Ctrl-C or hang-up does not reach it); on Windows,
      // outside the CLI's job object, which would end it with the CLI. No console window either.
      detached: true,
      windowsHide: true,
    });
  } finally {
    if (typeof output === 'number') closeSync(output);
    if (typeof stdin === 'number') closeSync(stdin);
  }
  const { pid } = child;
  if (pid === undefined) {
    // The program could not be started at all (missing, not executable): spawn reports it as an event.
    return new Promise<never>((_, reject) => child.once('error', reject));
  }
  // Node still reaps it while the CLI runs (no zombies); it no longer keeps the CLI alive.
  child.unref();
  return { child, pid };
}

/**
 * Starts a registry or agent process that outlives the CLI (cli.md §8.3 [DECIDE]): its own session,
 * output appended to a log file that `logs` reads, and for agents a stdin that never reaches EOF
 * (MCP stdio servers exit on EOF) — a FIFO the child holds open for reading and writing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The system temp directory as the original saw it: TMPDIR, TEMP, TMP, else the platform's. */
export function systemTempDir(env: Record<string, string | undefined>): string {
  return resolve(env.TMPDIR || env.TEMP || env.TMP || tmpdir()).replace(/[\\/]+$/, '') || '/';
}

/** Where a service's output goes: `{temp}/mcp_mesh_{name}.log`, the second place `logs --agent` looks (§7.7). */
export function serviceLogPath(env: Record<string, string | undefined>, name: string): string {
  return join(systemTempDir(env), `mcp_mesh_${name}.log`);
}

export interface LaunchRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  logPath: string;
  /** Agents: keep stdin open forever. The registry reads nothing. */
  keepStdinOpen: boolean;
}

export interface LaunchedService {
  child: ChildProcess;
  pid: number;
  /** Size of the log file before this launch: its output starts there. */
  logOffset: number;
}

function neverEndingStdin(logPath: string): number | 'ignore' {
  if (process.platform === 'win32') return 'ignore';
  const fifo = `${logPath}.${process.pid}.${Date.now()}.stdin`;
  try {
    execFileSync('mkfifo', ['-m', '600', fifo], { stdio: 'ignore' });
    // Opened read-write: the child holds a writer itself, so its reads block instead of seeing EOF.
    const fd = openSync(fifo, fsConstants.O_RDWR);
    unlinkSync(fifo);
    return fd;
  } catch {
    return 'ignore';
  }
}

export async function launchService(request: LaunchRequest): Promise<LaunchedService> {
  mkdirSync(dirname(request.logPath), { recursive: true });
  const logFd = openSync(request.logPath, 'a');
  const logOffset = statSync(request.logPath).size;
  const stdin = request.keepStdinOpen ? neverEndingStdin(request.logPath) : 'ignore';
  let child: ChildProcess;
  try {
    const [command, ...args] = request.argv as [string, ...string[]];
    child = spawn(command, args, {
      cwd: request.cwd,
      env: request.env as NodeJS.ProcessEnv,
      stdio: [stdin, logFd, logFd],
      // Its own session on POSIX (a terminal's Ctrl-C or hang-up does not reach it); on Windows,
      // outside the CLI's job object, which would end it with the CLI. No console window either.
      detached: true,
      windowsHide: true,
    });
  } finally {
    closeSync(logFd);
    if (typeof stdin === 'number') closeSync(stdin);
  }
  const { pid } = child;
  if (pid === undefined) {
    // The program could not be started at all (missing, not executable): spawn reports it as an event.
    return new Promise<never>((_, reject) => child.once('error', reject));
  }
  // Node still reaps it while the CLI runs (no zombies); it no longer keeps the CLI alive.
  child.unref();
  return { child, pid, logOffset };
}

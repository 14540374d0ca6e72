/**
 * Runs the built CLI (`bin/mcp_mesh_dev`) as a child process against a fresh HOME, working
 * directory and temp directory, with no MCP_MESH_* variables but those a test gives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_BIN = fileURLToPath(new URL('../../bin/mcp_mesh_dev', import.meta.url));
const STAND_IN_AGENTS = fileURLToPath(new URL('../cli/agents/', import.meta.url));

/** The parts of `~/.mcp_mesh/processes.json` tests look at. */
export interface TrackedState {
  processes: Record<string, { pid: number; command: string[]; metadata: Record<string, unknown> }>;
  registry_state: { url?: string; port?: number };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A sandbox for CLI runs: HOME, cwd and TMPDIR in one temp tree, removed on dispose. */
export class CliSandbox implements Disposable {
  readonly root = mkdtempSync(join(tmpdir(), 'mesh-cli-'));
  readonly home = join(this.root, 'home');
  readonly cwd = join(this.root, 'work');
  readonly tmp = join(this.root, 'tmp');
  /** Agent files live beside the working directory, as `../agents/x.py` in the templates. */
  readonly agents = join(this.root, 'agents');

  constructor(private readonly extraEnv: Record<string, string> = {}) {
    for (const dir of [this.home, this.cwd, this.tmp, this.agents]) mkdirSync(dir, { recursive: true });
  }

  /** Copies a stand-in agent of test/cli/agents under `name` into the agents directory; returns its path. */
  addAgent(name: string, source = 'stand_in_agent.py'): string {
    const path = join(this.agents, name);
    copyFileSync(join(STAND_IN_AGENTS, source), path);
    return path;
  }

  /** This user's private directory of service output under the sandbox's temp directory. */
  get logDir(): string {
    return join(this.tmp, `mcp_mesh-${process.getuid?.() ?? userInfo().username}`);
  }

  /** Where a service's output goes: `{temp}/mcp_mesh-{uid}/{name}.log`. */
  serviceLog(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  tracked(): TrackedState {
    const path = join(this.home, '.mcp_mesh', 'processes.json');
    return existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as TrackedState)
      : { processes: {}, registry_state: {} };
  }

  pid(name: string): number {
    const record = this.tracked().processes[name];
    if (!record) throw new Error(`${name} is not tracked`);
    return record.pid;
  }

  /** Safety net for a failed test: SIGKILL whatever is still tracked. */
  killTracked(): void {
    for (const record of Object.values(this.tracked().processes)) {
      try {
        process.kill(record.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    const base: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith('MCP_MESH_') && key !== 'VIRTUAL_ENV') base[key] = value;
    }
    return { ...base, HOME: this.home, TMPDIR: this.tmp, ...this.extraEnv, ...extra };
  }

  /** Starts the CLI; the caller waits for it with {@link finished}. */
  spawn(argv: readonly string[], extra: Record<string, string> = {}): ChildProcess {
    return spawn(process.execPath, [CLI_BIN, ...argv], {
      cwd: this.cwd,
      env: this.env(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  run(argv: readonly string[], extra: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
    return finished(this.spawn(argv, extra), timeoutMs);
  }

  [Symbol.dispose](): void {
    this.killTracked();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess, timeoutMs = 120_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`CLI did not finish within ${timeoutMs} ms; stdout so far:\n${stdout}\nstderr:\n${stderr}`),
      );
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs the built CLI (`bin/mcp_mesh_dev`) as a child process against a fresh HOME, working
 * directory and temp directory, with no MCP_MESH_* variables but those a test gives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_BIN = fileURLToPath(new URL('../../bin/mcp_mesh_dev', import.meta.url));

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

  constructor(private readonly extraEnv: Record<string, string> = {}) {
    for (const dir of [this.home, this.cwd, this.tmp]) mkdirSync(dir, { recursive: true });
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

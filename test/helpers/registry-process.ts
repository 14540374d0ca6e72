import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REGISTRY_BIN = join(REPO_ROOT, 'bin', 'mcp-mesh-registry');

/**
 * The registry's command: `bin/mcp-mesh-registry` under this Node, or the executable named by
 * MESH_TEST_REGISTRY_EXECUTABLE (the `bun-executable` project of vitest.config.ts runs the
 * end-to-end suites against the Bun single executable that way).
 */
export function registryCommand(args: string[]): [string, string[]] {
  const executable = process.env.MESH_TEST_REGISTRY_EXECUTABLE;
  return executable ? [executable, args] : [process.execPath, [REGISTRY_BIN, ...args]];
}

export interface RegistryProcess extends AsyncDisposable {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts `bin/mcp-mesh-registry` as its own process, waits until it listens, parses its port. */
export async function spawnRegistry(
  args: string[] = ['--host', '127.0.0.1', '--port', '0'],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
  options: { cwd?: string } = {},
): Promise<RegistryProcess> {
  const child = spawn(...registryCommand(args), {
    cwd: options.cwd,
    env: { ...process.env, MCP_MESH_ACCESS_LOG: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  // With MCP_MESH_TLS_MODE on, it serves HTTPS.
  let scheme = 'http';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`registry did not start in ${timeoutMs} ms:\n${err}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /Uvicorn running on (https?):\/\/[^:]+:(\d+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        scheme = match[1]!;
        resolve(Number(match[2]));
      }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited (${code}) before listening:\n${err}`));
    });
  });
  return {
    child,
    port,
    baseUrl: `${scheme}://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs the registry executable to completion (for flags such as --version). */
export function runRegistry(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(...registryCommand(args), {
      cwd: options.cwd,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

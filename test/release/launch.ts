import { type ChildProcess, spawn } from 'node:child_process';

export interface Launched extends AsyncDisposable {
  child: ChildProcess;
  baseUrl: string;
  stderr(): string;
}

/**
 * Starts a registry executable (whatever its form: npm bin, single executable, chrooted image),
 * waits for uvicorn's "running on" line and parses the port from it.
 */
export async function launchRegistry(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
  options: { cwd?: string } = {},
): Promise<Launched> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { MCP_MESH_ACCESS_LOG: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "running on" line in ${timeoutMs} ms:\n${err}`)),
      timeoutMs,
    );
    child.stderr!.on('data', () => {
      const match = /running on http:\/\/[^:]+:(\d+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('error', reject);
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(`${command} exited (${child.exitCode ?? child.signalCode}) before listening:\n${err}`),
      );
    });
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    stderr: () => err,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a command to completion and collects its output. */
export function runToEnd(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

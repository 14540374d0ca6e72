/**
 * The upstream Go registry 3.7.1 (npm `@mcpmesh/cli-linux-x64`, binary `mcp-mesh-registry`) on a
 * fresh SQLite file and a free port, for tests that compare its answers with ours.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ensureMeshctl } from './python-env.js';
import { tempDir } from './temp-dir.js';

export interface GoRegistry extends AsyncDisposable {
  baseUrl: string;
}

async function waitHealthy(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the Go registry exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Go registry at ${baseUrl} was not healthy within 30 s:\n${output()}`);
}

export async function startGoRegistry(env: Record<string, string> = {}): Promise<GoRegistry> {
  const { registry } = await ensureMeshctl();
  const dir = tempDir('mesh-go-registry-');
  const port = await freePort();
  const child = spawn(registry, [], {
    env: {
      PATH: process.env.PATH,
      HOME: dir.path,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: join(dir.path, 'registry.db'),
      MCP_MESH_LOG_LEVEL: 'ERROR',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    dir[Symbol.dispose]();
  };
  try {
    await waitHealthy(baseUrl, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, [Symbol.asyncDispose]: stop };
}

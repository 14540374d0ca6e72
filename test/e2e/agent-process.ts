import { type ChildProcess, spawn } from 'node:child_process';
import type { SdkVersion } from '../helpers/python-env.js';

export interface AgentProcess extends AsyncDisposable {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/**
 * The name an agent of SDK `sdk` registers under, as a pattern: SDK 1.0.0 registers under its agent
 * ID, the name and 8 hex digits (`date-provider-459d99e2`); later SDKs under the name itself.
 */
export function registeredName(sdk: SdkVersion, name: string): RegExp {
  return sdk === '1.0.0' ? new RegExp(`^${name}-[0-9a-f]{8}$`) : new RegExp(`^${name}$`);
}

/** Starts a Python agent script; everything stays on 127.0.0.1 (agents/README.md). */
export function startAgent(python: string, script: string, env: Record<string, string>): AgentProcess {
  const child = spawn(python, [script], {
    env: {
      ...process.env,
      MCP_MESH_HTTP_HOST: '127.0.0.1',
      HOST: '127.0.0.1',
      PYTHONUNBUFFERED: '1',
      MCP_MESH_DISTRIBUTED_TRACING_ENABLED: 'false',
      // SDK 1.0.0 imports litellm, which otherwise fetches its cost map from the internet.
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, sig) => resolve(code ?? sig ?? -1)),
  );
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  return {
    child,
    output: () => output,
    exited,
    kill,
    [Symbol.asyncDispose]: async () => void (await kill('SIGKILL')),
  };
}

/** Polls `probe` until it returns a value that `isDone` accepts, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  isDone: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (isDone(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)} ${String(lastError ?? '')}`,
  );
}

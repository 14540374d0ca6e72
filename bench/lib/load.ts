/** Runs a load job in its own process pinned to the load core (see load-worker.ts). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOAD_CORE, pinned } from './cpu.ts';
import type { ClosedJob, ClosedResult, OpenJob, OpenResult } from './load-worker.ts';
import { REPO_ROOT } from './servers.ts';

export type { ClosedJob, ClosedResult, OpenJob, OpenResult };

const WORKER = join(REPO_ROOT, 'bench', 'lib', 'load-worker.ts');
const run = promisify(execFile);

async function runJob<T>(job: ClosedJob | OpenJob, seconds: number): Promise<T> {
  const [cmd, args] = pinned(LOAD_CORE, process.execPath, [WORKER, JSON.stringify(job)]);
  const { stdout } = await run(cmd, args, { timeout: (seconds + 60) * 1000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as T;
}

export function closedLoad(job: Omit<ClosedJob, 'mode'>): Promise<ClosedResult> {
  return runJob({ mode: 'closed', ...job }, job.warmupSeconds + job.seconds);
}

export function openLoad(job: Omit<OpenJob, 'mode'>): Promise<OpenResult> {
  return runJob({ mode: 'open', ...job }, job.seconds);
}

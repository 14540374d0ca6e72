/**
 * Runs load jobs in one long-lived process pinned to the load core (see load-worker.ts): jobs go
 * to its stdin one JSON line each, results come back one JSON line each, in order. Starting it
 * once keeps Node's start-up out of every measurement's wall time.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { cpuSeconds, LOAD_CORE, pinned } from './cpu.ts';
import type { ClosedJob, ClosedResult, JobsJob, JobsResult, OpenJob, OpenResult } from './load-worker.ts';
import { REPO_ROOT } from './servers.ts';

export type { ClosedJob, ClosedResult, JobsJob, JobsResult, OpenJob, OpenResult };

const WORKER = join(REPO_ROOT, 'bench', 'lib', 'load-worker.ts');

interface Waiting {
  resolve: (line: string) => void;
  reject: (error: Error) => void;
}

let worker: { child: ChildProcessByStdio<Writable, Readable, null>; waiting: Waiting[] } | undefined;

function startWorker(): NonNullable<typeof worker> {
  const [cmd, args] = pinned(LOAD_CORE, process.execPath, [WORKER]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const started = { child, waiting: [] as Waiting[] };
  createInterface({ input: child.stdout }).on('line', (line) => started.waiting.shift()?.resolve(line));
  child.once('exit', (code, signal) => {
    if (worker === started) worker = undefined;
    for (const w of started.waiting.splice(0)) w.reject(new Error(`load worker exited (${code ?? signal})`));
  });
  return started;
}

async function runJob<T>(job: ClosedJob | OpenJob | JobsJob, seconds: number): Promise<T> {
  worker ??= startWorker();
  const { child, waiting } = worker;
  const line = new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  child.stdin.write(`${JSON.stringify(job)}\n`);
  // Bounded: a job that never finishes must not hold the bench.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        child.kill('SIGKILL');
        reject(new Error(`load job did not finish within ${seconds + 60} s`));
      },
      (seconds + 60) * 1000,
    );
  });
  try {
    return JSON.parse(await Promise.race([line, timeout])) as T;
  } finally {
    clearTimeout(timer);
  }
}

export function closedLoad(job: Omit<ClosedJob, 'mode'>): Promise<ClosedResult> {
  return runJob({ mode: 'closed', ...job }, job.warmupSeconds + job.seconds);
}

export function openLoad(job: Omit<OpenJob, 'mode'>): Promise<OpenResult> {
  return runJob({ mode: 'open', ...job }, job.warmupSeconds + job.seconds);
}

/** Ends the worker (it exits when its stdin closes). */
export async function stopLoadWorker(): Promise<void> {
  const current = worker;
  if (!current) return;
  worker = undefined;
  const exited = new Promise((resolve) => current.child.once('exit', resolve));
  current.child.stdin.end();
  await exited;
}

export interface MeasuredResult extends ClosedResult {
  /** The server's CPU time over the measured run's wall time (pinned to one core: at most 1). */
  busy: number;
  /**
   * Requests per second of the server's CPU time: what a request costs the server, whether or
   * not the client kept it busy (on a loaded machine the client slows down too).
   */
  perCpuSecond: number;
}

/**
 * One closed-loop measurement of the server `pid`: the warm-up as a job of its own, then the
 * measured run, with the server's CPU time (all its threads) over the measured run only.
 */
export async function measureClosed(
  pid: number,
  job: Omit<ClosedJob, 'mode' | 'warmupSeconds'>,
  warmupSeconds: number,
): Promise<MeasuredResult> {
  if (warmupSeconds > 0) await closedLoad({ ...job, warmupSeconds: 0, seconds: warmupSeconds });
  const before = cpuSeconds(pid);
  const r = await closedLoad({ ...job, warmupSeconds: 0 });
  const cpu = cpuSeconds(pid) - before;
  return { ...r, busy: cpu / (r.requests / r.rps), perCpuSecond: r.requests / cpu };
}

/**
 * One measured run of the jobs API on the server `pid` (see load-worker.ts, `jobs`), with the
 * server's CPU time over it. No warm-up here: the caller fills the queue before each run.
 */
export async function measureJobs(
  pid: number,
  job: Omit<JobsJob, 'mode' | 'warmupSeconds'>,
): Promise<JobsResult & MeasuredResult> {
  const before = cpuSeconds(pid);
  const r = await runJob<JobsResult>({ mode: 'jobs', ...job, warmupSeconds: 0 }, job.seconds);
  const cpu = cpuSeconds(pid) - before;
  return { ...r, busy: cpu / job.seconds, perCpuSecond: r.requests / cpu };
}

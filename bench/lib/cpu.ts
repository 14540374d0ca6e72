/**
 * Core pinning: the server under test on one core, the load generator on another, so neither
 * steals the other's CPU. Needs `taskset` (util-linux) and at least 2 cores; otherwise nothing
 * is pinned and the report says so (also with `BENCH_PIN=false`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
/** `BENCH_PIN=false` runs everything unpinned (to see what pinning itself costs a server). */
export const canPin = hasTaskset && availableParallelism() >= 2 && process.env.BENCH_PIN !== 'false';

/** The argv that runs `command` pinned to `core` (or unpinned where pinning is not possible). */
export function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return canPin ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

export function describePinning(): string {
  return canPin
    ? `server pinned to core ${SERVER_CORE}, load generator (its own process) to core ${LOAD_CORE} with taskset`
    : 'not pinned (taskset missing or fewer than 2 cores): server and load generator share the cores';
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/**
 * CPU seconds a process has used so far, user + system, all its threads (fields 14 and 15 of
 * /proc/<pid>/stat). Over a load run, the difference divided by the wall time is how busy the
 * server was: pinned to one core, 100% means that core never waited for the client.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields from after its closing bracket.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Busy and total jiffies of all cores together, from the first line of /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  // idle and iowait are fields 4 and 5.
  return { busy: total - fields[3]! - fields[4]!, total };
}

/**
 * Waits until the machine's cores are quiet: a whole second in which they were less than
 * `maxBusy` busy together, up to `timeoutMs`. Resolves to the seconds waited and the last
 * busy share. Between open-loop runs: a server stopped with a backlog can leave its database
 * working on it for seconds (the Go registry on PostgreSQL did for about 15 s), which the next
 * server's p99 would otherwise be charged with.
 */
export async function waitForQuietCores(
  maxBusy = 0.15,
  timeoutMs = 60_000,
): Promise<{ waitedSeconds: number; busy: number }> {
  const start = performance.now();
  let busy = 1;
  while (performance.now() - start < timeoutMs) {
    const before = machineJiffies();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = machineJiffies();
    busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busy < maxBusy) break;
  }
  return { waitedSeconds: (performance.now() - start) / 1000, busy };
}

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

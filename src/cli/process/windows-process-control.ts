/**
 * Process questions on Windows: no POSIX signals, no zombies, no process groups to signal. A
 * "terminate" is TerminateProcess (the original's SIGTERM was an immediate hard kill there too,
 * cli.md §6.7/§8.4); trees are stopped with `taskkill /F /T`. The parsers are pure and unit-tested
 * on every platform.
 */
import { execFileSync } from 'node:child_process';
import type { ProcessControl } from './process-control.js';
import { descendantsIn, parsePidPairs } from './process-tree.js';

function run(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
      windowsHide: true,
    });
  } catch {
    return undefined;
  }
}

/** Splits one CSV line of `tasklist /FO CSV` (every field quoted). */
function csvFields(line: string): string[] {
  return [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replaceAll('""', '"'));
}

/** `tasklist /FI "PID eq N" /FO CSV /NH` output → the row of that PID, if any. */
export function parseTasklistRow(text: string, pid: number): string[] | undefined {
  for (const line of text.split(/\r?\n/)) {
    const fields = csvFields(line);
    if (fields.length >= 5 && Number(fields[1]) === pid) return fields;
  }
  return undefined;
}

/** The "Mem Usage" column (`"12,345 K"`, with any thousands separator) → bytes. */
export function parseTasklistMemory(field: string): number | undefined {
  const digits = field.replace(/[^0-9]/g, '');
  return digits === '' ? undefined : Number(digits) * 1024;
}

/** `netstat -ano -p TCP` output → ports PID listens on. */
export function parseNetstatListening(text: string, pid: number): number[] {
  const ports = new Set<number>();
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || fields[0] !== 'TCP' || fields[3] !== 'LISTENING' || Number(fields[4]) !== pid)
      continue;
    const port = Number(fields[1]!.slice(fields[1]!.lastIndexOf(':') + 1));
    if (Number.isInteger(port)) ports.add(port);
  }
  return [...ports];
}

/** The argv that stops a process tree hard. */
export function taskkillTreeArgs(pid: number): string[] {
  return ['/F', '/T', '/PID', String(pid)];
}

export const windowsProcessControl: ProcessControl = {
  isRunning(pid) {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      // Signal 0 tests for existence on Windows as well; exited processes leave no zombie.
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  startTime(pid) {
    const text = run('powershell.exe', [
      '-NoProfile',
      '-NonInteractive',
      '-Command',
      `(Get-Process -Id ${pid}).StartTime.ToUniversalTime().ToString('o')`,
    ])?.trim();
    const time = text ? Date.parse(text) : Number.NaN;
    return Number.isNaN(time) ? undefined : time;
  },
  startToken(pid) {
    // The creation time is kept as an absolute time; in UTC with ticks it is unique to the process.
    const text = run('powershell.exe', [
      '-NoProfile',
      '-NonInteractive',
      '-Command',
      `(Get-Process -Id ${pid}).StartTime.ToUniversalTime().Ticks`,
    ])?.trim();
    return text && /^\d+$/.test(text) ? `win32:${text}` : undefined;
  },
  terminate(pid) {
    process.kill(pid);
  },
  kill(pid) {
    if (run('taskkill.exe', taskkillTreeArgs(pid)) === undefined) process.kill(pid);
  },
  terminateGroup(pid) {
    // No process groups to signal: the tree, hard (the original's stop was immediate here too, §8.4).
    if (run('taskkill.exe', taskkillTreeArgs(pid)) === undefined) process.kill(pid);
  },
  killGroup(pid) {
    if (run('taskkill.exe', taskkillTreeArgs(pid)) === undefined) process.kill(pid);
  },
  isGroupRunning(pid) {
    return windowsProcessControl.isRunning(pid);
  },
  descendants(pid) {
    const table = parsePidPairs(
      run('powershell.exe', [
        '-NoProfile',
        '-NonInteractive',
        '-Command',
        'Get-CimInstance Win32_Process | ForEach-Object { "$($_.ProcessId) $($_.ParentProcessId)" }',
      ]) ?? '',
    );
    return descendantsIn(table, pid);
  },
  listeningPorts(pid) {
    return parseNetstatListening(run('netstat.exe', ['-ano', '-p', 'TCP']) ?? '', pid);
  },
  residentBytes(pid) {
    const row = parseTasklistRow(
      run('tasklist.exe', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH']) ?? '',
      pid,
    );
    return row ? parseTasklistMemory(row[4]!) : undefined;
  },
};

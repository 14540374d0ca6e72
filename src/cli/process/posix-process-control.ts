/** Process questions on Linux (`/proc`) and macOS (`ps`, `lsof`). */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ProcessControl } from './process-control.js';
import { descendantsIn, parsePidPairs } from './process-tree.js';

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  try {
    return execFileSync(command, args, {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
  } catch {
    return undefined;
  }
}

/** Fields of `/proc/<pid>/stat` after the command name, so index 0 is the state (field 3). */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Listening TCP sockets in `/proc/net/tcp{,6}` text: inode → port (state 0A = LISTEN). */
export function parseProcNetListeners(text: string): Map<string, number> {
  const listeners = new Map<string, number>();
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== '0A') continue;
    const port = Number.parseInt(fields[1]!.split(':')[1] ?? '', 16);
    if (Number.isFinite(port)) listeners.set(fields[9]!, port);
  }
  return listeners;
}

/** Ports in `lsof -Fn` output (`n127.0.0.1:8080`, `n*:8080`, `n[::1]:8080`). */
export function parseLsofPorts(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const match = /^n.*:(\d+)$/.exec(line.trim());
    if (match) ports.add(Number(match[1]));
  }
  return [...ports];
}

/** Lines of `<pid> <pgid> <stat>` (as `ps -A -o pid=,pgid=,stat=` prints them) → live members of `group`. */
export function parseGroupMembers(text: string, group: number): number[] {
  const members: number[] = [];
  for (const line of text.split('\n')) {
    const [pid, pgid, stat = ''] = line.trim().split(/\s+/);
    if (Number(pgid) === group && !stat.startsWith('Z')) members.push(Number(pid));
  }
  return members;
}

export function posixProcessControl(platform: NodeJS.Platform): ProcessControl {
  const isLinux = platform === 'linux';
  let bootTimeSeconds: number | undefined;
  let bootId: string | undefined;
  const bootTime = () => {
    bootTimeSeconds ??= Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return bootTimeSeconds;
  };

  /** The process group a PID belongs to. */
  const groupOf = (pid: number): number | undefined => {
    const pgid = isLinux ? procStat(pid)?.[2] : run('ps', ['-o', 'pgid=', '-p', String(pid)])?.trim();
    const value = Number(pgid);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  /** Live members of the group `group` (the leader may already be gone from it). */
  const groupMembers = (group: number): number[] => {
    if (!isLinux) return parseGroupMembers(run('ps', ['-A', '-o', 'pid=,pgid=,stat=']) ?? '', group);
    const members: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = procStat(Number(entry));
      if (stat && Number(stat[2]) === group && stat[0] !== 'Z') members.push(Number(entry));
    }
    return members;
  };
  let ownGroup: number | undefined | null = null;
  /**
   * The PID's group as kill(2) names it (negative) when the PID led a group of its own that still
   * has live members, and that group is not the CLI's (never signal ourselves); else the PID alone.
   */
  const groupTarget = (pid: number) => {
    if (ownGroup === null) ownGroup = groupOf(process.pid);
    const ownsGroup = pid !== process.pid && pid !== ownGroup && groupMembers(pid).length > 0;
    return ownsGroup ? -pid : pid;
  };

  const isRunning = (pid: number): boolean => {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
    }
    if (isLinux) return procStat(pid)?.[0] !== 'Z';
    return !(run('ps', ['-o', 'stat=', '-p', String(pid)]) ?? '').trim().startsWith('Z');
  };

  return {
    isRunning,
    startTime(pid) {
      if (isLinux) {
        // Field 22: start time in clock ticks after boot; USER_HZ is 100 on every Linux we run on.
        const ticks = Number(procStat(pid)?.[19]);
        return Number.isFinite(ticks) ? (bootTime() + ticks / 100) * 1000 : undefined;
      }
      const text = run('ps', ['-o', 'lstart=', '-p', String(pid)])?.trim();
      const time = text ? Date.parse(text) : Number.NaN;
      return Number.isNaN(time) ? undefined : time;
    },
    startToken(pid) {
      if (isLinux) {
        // Field 22: ticks after boot, counted by the kernel: no time zone, no wall clock in it.
        const ticks = procStat(pid)?.[19];
        if (ticks === undefined || !/^\d+$/.test(ticks)) return undefined;
        try {
          bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
        } catch {
          bootId = '';
        }
        return `linux:${bootId}:${ticks}`;
      }
      // The kernel keeps the start as an absolute time; printed in UTC it reads the same in every zone.
      const text = run('ps', ['-o', 'lstart=', '-p', String(pid)], { ...process.env, TZ: 'UTC', LC_ALL: 'C' })
        ?.trim()
        .replace(/\s+/g, ' ');
      return text ? `${platform}:${text}` : undefined;
    },
    terminate(pid) {
      process.kill(pid, 'SIGTERM');
    },
    terminateGroup(pid) {
      process.kill(groupTarget(pid), 'SIGTERM');
    },
    killGroup(pid) {
      process.kill(groupTarget(pid), 'SIGKILL');
    },
    isGroupRunning(pid) {
      return groupTarget(pid) < 0 || isRunning(pid);
    },
    kill(pid) {
      process.kill(pid, 'SIGKILL');
    },
    descendants(pid) {
      return descendantsIn(parsePidPairs(run('ps', ['-A', '-o', 'pid=,ppid=']) ?? ''), pid);
    },
    listeningPorts(pid) {
      if (!isLinux)
        return parseLsofPorts(
          run('lsof', ['-nP', '-a', '-p', String(pid), '-iTCP', '-sTCP:LISTEN', '-Fn']) ?? '',
        );
      const inodes = new Set<string>();
      try {
        for (const fd of readdirSync(`/proc/${pid}/fd`)) {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
          const match = /^socket:\[(\d+)\]$/.exec(target);
          if (match) inodes.add(match[1]!);
        }
      } catch {
        return [];
      }
      const ports = new Set<number>();
      for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
        let text = '';
        try {
          text = readFileSync(table, 'utf8');
        } catch {
          continue;
        }
        for (const [inode, port] of parseProcNetListeners(text)) if (inodes.has(inode)) ports.add(port);
      }
      return [...ports];
    },
    residentBytes(pid) {
      if (isLinux) {
        try {
          const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
          return kb === undefined ? undefined : Number(kb) * 1024;
        } catch {
          return undefined;
        }
      }
      const kb = Number(run('ps', ['-o', 'rss=', '-p', String(pid)])?.trim());
      return Number.isFinite(kb) ? kb * 1024 : undefined;
    },
  };
}

/** Process questions on Linux (`/proc`) and macOS (`ps`, `lsof`). */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ProcessControl } from './process-control.js';
import { descendantsIn, parsePidPairs } from './process-tree.js';

function run(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, {
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

export function posixProcessControl(platform: NodeJS.Platform): ProcessControl {
  const isLinux = platform === 'linux';
  let bootTimeSeconds: number | undefined;
  const bootTime = () => {
    bootTimeSeconds ??= Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return bootTimeSeconds;
  };

  return {
    isRunning(pid) {
      if (!Number.isInteger(pid) || pid <= 0) return false;
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
      }
      if (isLinux) return procStat(pid)?.[0] !== 'Z';
      return !(run('ps', ['-o', 'stat=', '-p', String(pid)]) ?? '').trim().startsWith('Z');
    },
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
    terminate(pid) {
      process.kill(pid, 'SIGTERM');
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

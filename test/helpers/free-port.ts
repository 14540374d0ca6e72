import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * TCP ports on 127.0.0.1 that were free a moment ago, `count` of them in a row. They are taken
 * below Linux's ephemeral range (32768+): a port there can be the local end of any outgoing
 * connection of a parallel test at the moment a registry wants to listen on it.
 */
export async function freePort(count = 1): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let free = true;
    for (let i = 0; i < count && free; i++) free = await canListen(base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} free ports in a row below 32000`);
}

/**
 * The process exists and is not a zombie. (Where PID 1 does not reap orphans, as in some containers,
 * an ended detached process stays a zombie that signal 0 still finds.)
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

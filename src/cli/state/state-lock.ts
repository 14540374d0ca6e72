/**
 * A lock file beside the process state, so CLIs that change it at the same time take turns. Every
 * change re-reads the file, applies itself and writes the file back; without the lock a second CLI
 * could write back a copy read before the first one's change, undoing it (cli.md §4.5 [DECIDE]).
 */
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * A change holds the lock for milliseconds; a lock this old belongs to a CLI that was killed while
 * holding it (or hangs), and is broken.
 */
const STALE_AFTER_MS = 10_000;
const MAX_BACKOFF_MS = 20;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The tracker is synchronous (it runs inside signal handlers' shutdown too), so it waits synchronously. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** What a lock file says about its holder: `<pid>[ <start token>]`, and how old the file is. */
export interface LockHolder {
  pid: number;
  /** ProcessControl.startToken of the holder, when it wrote one. */
  token: string | undefined;
  ageMs: number;
}

export function holderOf(lockPath: string): LockHolder | undefined {
  try {
    const [pid = '', ...token] = readFileSync(lockPath, 'utf8').trim().split(' ');
    return {
      pid: Number.parseInt(pid, 10),
      token: token.length > 0 ? token.join(' ') : undefined,
      ageMs: Date.now() - statSync(lockPath).mtimeMs,
    };
  } catch {
    return undefined;
  }
}

/**
 * Breaks the lock if `isStale` says so of its holder. It is renamed aside, not deleted, and the
 * renamed file checked: if another waiter broke it first and a live CLI took the lock meanwhile,
 * that fresh lock is what was renamed, and it is put back.
 */
export function breakIfStale(lockPath: string, isStale: (holder: LockHolder) => boolean): void {
  const holder = holderOf(lockPath);
  if (!holder || !isStale(holder)) return;
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return;
  }
  try {
    const moved = holderOf(aside);
    if (moved && (moved.pid !== holder.pid || moved.token !== holder.token) && !isStale(moved)) {
      linkSync(aside, lockPath);
    }
  } catch {
    // Somebody holds a newer lock already; the one put aside is lost to its holder, who still
    // finishes its work (the only cost is that two holders may overlap this once).
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // Already gone.
    }
  }
}

/** Creates the lock file exclusively (0600) with `content`; false when someone else holds it. */
export function tryLock(lockPath: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
      return tryLock(lockPath, content);
    }
    if (code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${content}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Removes the lock file if it is still ours (after a very long hold another CLI may have broken it). */
export function unlock(lockPath: string, content: string): void {
  const holder = holderOf(lockPath);
  if (!holder || `${holder.pid}${holder.token === undefined ? '' : ` ${holder.token}`}` !== content) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // Gone already.
  }
}

/** A holder that has exited, or (state changes take milliseconds) one holding it for too long. */
function staleStateLock(isRunning: (pid: number) => boolean) {
  return (holder: LockHolder): boolean => {
    // A file without a PID yet is a holder between creating and writing it: stale only by age.
    const exited = Number.isInteger(holder.pid) && holder.pid > 0 && !isRunning(holder.pid);
    return exited || holder.ageMs > STALE_AFTER_MS;
  };
}

/**
 * Runs `work` while holding the lock file `lockPath` (created exclusively, holding our PID); waits
 * for the holder otherwise. Never gives up: a lock left behind is broken after {@link STALE_AFTER_MS}.
 */
export function withFileLock<T>(lockPath: string, isRunning: (pid: number) => boolean, work: () => T): T {
  const content = String(process.pid);
  let backoff = 1;
  for (;;) {
    if (tryLock(lockPath, content)) {
      try {
        return work();
      } finally {
        unlock(lockPath, content);
      }
    }
    breakIfStale(lockPath, staleStateLock(isRunning));
    sleepSync(backoff * (0.5 + Math.random()));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

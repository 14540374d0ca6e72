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

function holderOf(lockPath: string): { pid: number; ageMs: number } | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return { pid, ageMs: Date.now() - statSync(lockPath).mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Breaks the lock if its holder has exited or it is older than any change takes. It is renamed
 * aside, not deleted, and the renamed file checked: if another waiter broke it first and a live CLI
 * took the lock meanwhile, that fresh lock is what was renamed, and it is put back.
 */
function breakIfStale(lockPath: string, isRunning: (pid: number) => boolean): void {
  const holder = holderOf(lockPath);
  if (!holder) return;
  // A file without a PID yet is a holder between creating and writing it: stale only by age.
  const exited = Number.isInteger(holder.pid) && holder.pid > 0 && !isRunning(holder.pid);
  if (!exited && holder.ageMs <= STALE_AFTER_MS) return;
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return;
  }
  try {
    const moved = holderOf(aside);
    if (moved && moved.pid !== holder.pid && moved.ageMs <= STALE_AFTER_MS) linkSync(aside, lockPath);
  } catch {
    // Somebody holds a newer lock already; the one put aside is lost to its holder, who still
    // finishes its change (the only cost is that two changes may overlap this once).
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Runs `work` while holding the lock file `lockPath` (created exclusively, holding our PID); waits
 * for the holder otherwise. Never gives up: a lock left behind is broken after {@link STALE_AFTER_MS}.
 */
export function withFileLock<T>(lockPath: string, isRunning: (pid: number) => boolean, work: () => T): T {
  let backoff = 1;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        mkdirSync(dirname(lockPath), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      try {
        return work();
      } finally {
        // Only our own lock: after a very long hold another CLI may have broken it and taken a new one.
        if (holderOf(lockPath)?.pid === process.pid) {
          try {
            unlinkSync(lockPath);
          } catch {
            // Gone already.
          }
        }
      }
    }
    breakIfStale(lockPath, isRunning);
    sleepSync(backoff * (0.5 + Math.random()));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

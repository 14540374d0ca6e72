/**
 * What SQLite does not say on its own: that the file it writes is no longer the one a restart
 * would open (deleted, or replaced by another file at the same path: the connection keeps
 * writing to the old inode, and every commit is lost at the next start), and which of its errors
 * mean the file cannot take writes at all (a full disk, a read-only file or filesystem).
 */
import { type BigIntStats, closeSync, constants, openSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MeshError } from '../../shared/errors.js';

/** SQLite's primary result codes (sqlite3.h) that mean the file cannot store a change. */
const STORAGE_FAULTS: Readonly<Record<number, string>> = {
  8: 'read-only',
  10: 'I/O error',
  13: 'disk full',
  14: 'cannot open file',
};

/** The fault a `node:sqlite` error reports (its extended code's primary part), if it is one. */
export function storageFaultOf(error: unknown): string | undefined {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode !== 'number') return undefined;
  return STORAGE_FAULTS[errcode & 0xff];
}

/**
 * A fault as the store's 503 (temporary: space may be freed, the filesystem made writable);
 * the database's own message stays in the log (the cause). Other errors as they are.
 */
export function toStorageError(error: unknown): unknown {
  const fault = storageFaultOf(error);
  if (fault === undefined) return error;
  return new MeshError(
    'DATABASE_UNWRITABLE',
    `Registry database cannot store changes (${fault}); retry shortly`,
    {
      statusCode: 503,
      cause: error,
    },
  );
}

type Identity = { dev: bigint; ino: bigint };

function identityOf(path: string): Identity | undefined {
  let stats: BigIntStats | undefined;
  try {
    stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    // Its folder gone or unreadable: no file the registry could open there either.
    return undefined;
  }
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino };
}

/**
 * The device and inode of the database file and of its write-ahead log as opened. {@link check}
 * (two `stat` calls, a few µs) throws a 503 `DATABASE_LOST` once the path names another file or
 * none: the registry then refuses every write instead of acknowledging what a restart would not find.
 */
export class FileIdentity {
  private readonly files: { path: string; identity: Identity }[] = [];

  /** Records the files at `path` and `path-wal` as they are now (the log when there is one). */
  constructor(private readonly path: string) {
    for (const file of [path, `${path}-wal`]) {
      const identity = identityOf(file);
      if (identity !== undefined) this.files.push({ path: file, identity });
    }
  }

  check(): void {
    for (const { path, identity } of this.files) {
      const now = identityOf(path);
      if (now?.dev === identity.dev && now.ino === identity.ino) continue;
      throw new MeshError(
        'DATABASE_LOST',
        'Registry database file was deleted or replaced while the registry ran; it refuses writes until it is restarted',
        {
          statusCode: 503,
          cause: new Error(
            `${path} ${now === undefined ? 'no longer exists' : 'is another file than the one opened'} (database ${this.path})`,
          ),
        },
      );
    }
  }
}

/**
 * Free space below which a volume counts as still full after a write failed on it: the empty
 * write `/health` tries may fit where a registration does not (in space the log already holds).
 */
const MIN_FREE_BYTES = 1024 * 1024;

/** Throws the disk-full 503 while the volume of `path` has less than {@link MIN_FREE_BYTES} free. */
export function checkRoomFor(path: string): void {
  let free: number;
  try {
    const stats = statfsSync(dirname(path));
    free = stats.bavail * stats.bsize;
  } catch {
    return;
  }
  if (free >= MIN_FREE_BYTES) return;
  throw toStorageError(
    Object.assign(new Error(`${free} bytes free on the database's volume`), { errcode: 13 }),
  );
}

/**
 * Throws the read-only 503 when the write-ahead log of `path` cannot be opened for writing now:
 * a filesystem the kernel turned read-only after an error (which `access` and `statfs` do not
 * report), or an immutable file. SQLite does not always say so itself: a commit that overwrites
 * pages of its log still in the page cache can succeed there. The log, never the database file:
 * closing any descriptor of a file drops the process's POSIX locks on it, and SQLite locks the
 * database file (not its log). An open and a close, about 4 µs.
 */
export function checkWritable(path: string): void {
  const log = `${path}-wal`;
  try {
    closeSync(openSync(log, constants.O_WRONLY));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A log that is gone is the identity check's to report (or not written yet).
    if (code === 'ENOENT') return;
    throw toStorageError(Object.assign(new Error(`${log}: ${code}`), { errcode: 8 }));
  }
}

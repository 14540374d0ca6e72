/**
 * Where the registry's and agents' output goes: a directory of this user's own under the temp
 * directory, `{temp}/mcp_mesh-{uid}/{name}.log` (cli.md §8.3 [DECIDE]). The temp directory is shared
 * by every user of the machine, so the directory must be a real directory (not a symlink), owned
 * by this user and closed to others (0700); the files are 0600 and opened without following a
 * symlink. A directory someone else prepared is refused: then no output is kept.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/** The system temp directory as the original saw it: TMPDIR, TEMP, TMP, else the platform's. */
export function systemTempDir(env: Record<string, string | undefined>): string {
  return resolve(env.TMPDIR || env.TEMP || env.TMP || tmpdir()).replace(/[\\/]+$/, '') || '/';
}

/** This user as a directory name part: the numeric uid on POSIX, the account name on Windows. */
function userTag(): string {
  const uid = process.getuid?.();
  if (uid !== undefined) return String(uid);
  return userInfo().username.replace(/[^\w.-]/g, '_');
}

/** `{temp}/mcp_mesh-{uid}`: this user's private directory of service logs. */
export function serviceLogDirectory(env: Record<string, string | undefined>): string {
  return join(systemTempDir(env), `mcp_mesh-${userTag()}`);
}

/** `{temp}/mcp_mesh-{uid}/{name}.log`, where `logs --agent` looks second (§7.7). */
export function serviceLogPath(env: Record<string, string | undefined>, name: string): string {
  return join(serviceLogDirectory(env), `${name}.log`);
}

/** The log directory exists but is not this user's private directory. */
export class UnsafeLogDirectoryError extends Error {}

const PRIVATE_BITS = 0o077;
/** Windows has neither O_NOFOLLOW nor owners by uid; its temp directory is the user's own. */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** A FIFO planted in place of the file must not block the open (it is refused right after). */
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** Why `path` (already lstat-ed) cannot be this user's private directory, if it cannot. */
function directoryProblem(path: string): string | undefined {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return `${path} is a symbolic link`;
  if (!stat.isDirectory()) return `${path} is not a directory`;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `${path} belongs to user ${stat.uid}`;
  return undefined;
}

/**
 * Makes sure the log directory is ours alone: created 0700 when missing; one of ours that others
 * could enter is closed (0700). A symlink, a non-directory or another user's directory is refused
 * with {@link UnsafeLogDirectoryError}: it is never written to, nor replaced (others' entries in the
 * shared temp directory cannot be removed, and must not be followed).
 */
export function ensureServiceLogDirectory(env: Record<string, string | undefined>): string {
  const directory = serviceLogDirectory(env);
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      mkdirSync(systemTempDir(env), { recursive: true });
      return ensureServiceLogDirectory(env);
    }
    if (code !== 'EEXIST') throw error;
  }
  const problem = directoryProblem(directory);
  if (problem) throw new UnsafeLogDirectoryError(problem);
  if (process.platform !== 'win32' && (lstatSync(directory).mode & PRIVATE_BITS) !== 0) {
    chmodSync(directory, 0o700);
  }
  return directory;
}

/** Whether the log directory is this user's own, so what is read from it is our services' output. */
export function isServiceLogDirectorySafe(env: Record<string, string | undefined>): boolean {
  try {
    return directoryProblem(serviceLogDirectory(env)) === undefined;
  } catch {
    return false;
  }
}

/**
 * Opens a service log for appending: created 0600, never through a symlink, and only a regular file
 * of this user's (one of ours with looser permissions is closed to others).
 */
export function openServiceLog(path: string): number {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW | NONBLOCK,
    0o600,
  );
  try {
    const stat = fstatSync(fd);
    const uid = process.getuid?.();
    if (!stat.isFile()) throw new UnsafeLogDirectoryError(`${path} is not a regular file`);
    if (uid !== undefined && stat.uid !== uid) {
      throw new UnsafeLogDirectoryError(`${path} belongs to user ${stat.uid}`);
    }
    if (process.platform !== 'win32' && (stat.mode & PRIVATE_BITS) !== 0) fchmodSync(fd, 0o600);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** A service's log, opened for its output; or why there is none. */
export type ServiceLog =
  | { path: string; fd: number; offset: number; refused?: undefined }
  | { path: string; fd?: undefined; offset: 0; refused: string };

/** Prepares the directory and opens `{name}.log` in it; a refusal is returned, not thrown. */
export function openServiceLogFor(env: Record<string, string | undefined>, name: string): ServiceLog {
  const path = serviceLogPath(env, name);
  try {
    ensureServiceLogDirectory(env);
    const fd = openServiceLog(path);
    return { path, fd, offset: fstatSync(fd).size };
  } catch (error) {
    if (error instanceof UnsafeLogDirectoryError || (error as NodeJS.ErrnoException).code === 'ELOOP') {
      return { path, offset: 0, refused: (error as Error).message };
    }
    throw error;
  }
}

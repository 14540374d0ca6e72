/** The registry database file check of cli.md §5.3 step 1 and its status object (§5.7). */
import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export interface DatabaseStatus {
  status: 'missing' | 'inaccessible' | 'healthy' | 'error';
  message: string;
  size?: number;
  tables?: string[];
}

const SQLITE_HEADER = 'SQLite format 3\0';

type SqliteModule = typeof import('node:sqlite');

/** node:sqlite, without its "experimental" warning on stderr (our output there is specified, §9.1). */
function loadSqlite(): SqliteModule | undefined {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return createRequire(import.meta.url)('node:sqlite') as SqliteModule;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

function tableNames(path: string, size: number): string[] {
  if (size === 0) return [];
  const sqlite = loadSqlite();
  if (!sqlite) {
    // Without node:sqlite (Node < 22.5) the header tells an SQLite file from anything else.
    const header = Buffer.alloc(16);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, header, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
    if (header.toString('latin1') !== SQLITE_HEADER) throw new Error('file is not a database');
    return [];
  }
  const db = new sqlite.DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    return rows.map((row) => row.name);
  } finally {
    db.close();
  }
}

/** Checks the database file at `absolutePath` (relative `displayPath` only in messages). */
export function checkDatabase(absolutePath: string): DatabaseStatus {
  let size: number;
  try {
    size = statSync(absolutePath).size;
  } catch {
    return { status: 'missing', message: 'Database file does not exist', size: 0 };
  }
  try {
    accessSync(absolutePath, constants.R_OK | constants.W_OK);
  } catch {
    return { status: 'inaccessible', message: 'Database file permissions issue', size };
  }
  try {
    const tables = tableNames(absolutePath, size);
    return { status: 'healthy', message: 'Database is accessible and contains tables', size, tables };
  } catch (error) {
    return { status: 'error', message: `SQLite error: ${(error as Error).message}` };
  }
}

/** Creates the parent directory and an empty database file when missing (§5.3 step 1). */
export function createEmptyDatabase(absolutePath: string): void {
  mkdirSync(dirname(absolutePath), { recursive: true });
  closeSync(openSync(absolutePath, 'a'));
}

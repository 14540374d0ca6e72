import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { describeError, MeshError } from '../shared/errors.js';
import type { RegistryStore } from './registry-store.js';

export const DEFAULT_DATABASE_PATH = 'mcp_mesh_registry.db';

/**
 * Where a `sqlite:` URL points, relative paths against the working directory:
 * - `sqlite:///abs/path.db` (and SQLAlchemy's `sqlite:////abs/path.db`) → `/abs/path.db`, percent-decoded;
 * - `sqlite:///./rel.db`, `sqlite:///../rel.db` → relative, as SQLAlchemy and the Python CLI mean them
 *   (spec cli.md §6.4: `sqlite:///./dev_registry.db`);
 * - `sqlite://rel/path.db`, `sqlite:rel.db`, a plain path (the Go registry's `DATABASE_URL`) → as given;
 * - `sqlite::memory:`, `sqlite:///:memory:` → in memory.
 */
export function sqlitePathOf(url: string): string {
  if (url === 'sqlite::memory:' || url === 'sqlite:///:memory:') return ':memory:';
  if (url.startsWith('sqlite:///')) {
    const rest = url.slice('sqlite:///'.length);
    if (rest.startsWith('./') || rest.startsWith('../')) return resolve(rest);
    return fileURLToPath(`file:///${rest.replace(/^\/+/, '')}`);
  }
  if (url.startsWith('sqlite://')) return resolve(url.slice('sqlite://'.length));
  if (url.startsWith('sqlite:')) return resolve(url.slice('sqlite:'.length));
  return resolve(url);
}

/** Replaces the password of a database URL, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@')
    .replace(/([?&]password=)[^&]*/i, '$1***');
}

/** Removes the URL's password (raw or percent-decoded) from a message that might quote it. */
function redactSecrets(message: string, url: string): string {
  let password: string | undefined;
  try {
    const parsed = new URL(url);
    password = parsed.searchParams.get('password') ?? (parsed.password || undefined);
    if (password !== undefined && !parsed.searchParams.has('password'))
      password = decodeURIComponent(password);
  } catch {
    password = undefined;
  }
  const redacted = redactDatabaseUrl(message);
  return password && password.length > 0 ? redacted.split(password).join('***') : redacted;
}

export interface OpenStoreOptions {
  /** Where the store reports losing and regaining the database. */
  logger?: Logger;
}

/**
 * Opens the store the URL names: `postgresql://…` (or `postgres://…`) on `pg`, `sqlite:…` (or a
 * plain path) on `node:sqlite`; undefined means `./mcp_mesh_registry.db` as in the original.
 * Only the chosen driver is loaded. Errors name the URL with its password replaced.
 */
export async function openStore(
  databaseUrl: string | undefined,
  options: OpenStoreOptions = {},
): Promise<RegistryStore> {
  const url = databaseUrl?.trim() || DEFAULT_DATABASE_PATH;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    try {
      return await PostgresStore.open({ url, logger: options.logger });
    } catch (error) {
      const isUnreachable = error instanceof MeshError && error.code === 'DATABASE_UNAVAILABLE';
      const reason = describeError(isUnreachable ? error.cause : error);
      throw new MeshError(
        'DATABASE_OPEN_FAILED',
        `Cannot open database ${redactDatabaseUrl(url)}: ${redactSecrets(reason, url)}`,
        {
          cause: error,
          hint: isUnreachable
            ? 'Check that PostgreSQL is running and reachable at that host and port.'
            : (error as MeshError).hint,
        },
      );
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('sqlite:')) {
    throw new MeshError('DATABASE_URL_INVALID', `Unsupported database URL: ${redactDatabaseUrl(url)}`, {
      hint: 'Use sqlite:///absolute/path.db or postgresql://user@host/db.',
    });
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  const path = sqlitePathOf(url);
  try {
    return new SqliteStore({ path });
  } catch (error) {
    // The resolved path, not the URL: with a relative URL the working directory is the question.
    throw new MeshError(
      'DATABASE_OPEN_FAILED',
      `Cannot open SQLite database ${path}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}

import type { Logger } from 'pino';
import { describeError, MeshError } from '../shared/errors.js';
import { DEFAULT_DATABASE_PATH, redactDatabaseUrl, redactSecrets, sqlitePathOf } from './database-url.js';
import type { RegistryStore } from './registry-store.js';

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
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    try {
      return await openPostgresStore({ url, logger: options.logger });
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
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
  const path = sqlitePathOf(url);
  try {
    return await openSqliteStore({ path, logger: options.logger });
  } catch (error) {
    // The resolved path, not the URL: with a relative URL the working directory is the question.
    throw new MeshError(
      'DATABASE_OPEN_FAILED',
      `Cannot open SQLite database ${path}: ${describeError(error)}`,
      { cause: error, hint: error instanceof MeshError ? error.hint : undefined },
    );
  }
}

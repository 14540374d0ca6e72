import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeshError } from '../shared/errors.js';
import type { RegistryStore } from './registry-store.js';

export const DEFAULT_DATABASE_PATH = 'mcp_mesh_registry.db';

/** Where a `sqlite:` URL points: `sqlite:///abs/path`, `sqlite://rel/path`, `sqlite::memory:`. */
export function sqlitePathOf(url: string): string {
  if (url === 'sqlite::memory:' || url === 'sqlite:///:memory:') return ':memory:';
  if (url.startsWith('sqlite:///')) return fileURLToPath(`file:///${url.slice('sqlite:///'.length)}`);
  if (url.startsWith('sqlite://')) return resolve(url.slice('sqlite://'.length));
  if (url.startsWith('sqlite:')) return resolve(url.slice('sqlite:'.length));
  return resolve(url);
}

/** Replaces the password of a database URL, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/**
 * Opens the store the URL names: `sqlite:…` (or a plain path) on `node:sqlite`; undefined means
 * `./mcp_mesh_registry.db` as in the original. Only the chosen driver is loaded.
 */
export async function openStore(databaseUrl: string | undefined): Promise<RegistryStore> {
  const url = databaseUrl?.trim() || DEFAULT_DATABASE_PATH;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new MeshError(
      'DATABASE_UNSUPPORTED',
      `PostgreSQL is not supported yet: ${redactDatabaseUrl(url)}`,
      {
        hint: 'Use a sqlite:///path URL or leave MCP_MESH_DATABASE_URL unset.',
      },
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('sqlite:')) {
    throw new MeshError('DATABASE_URL_INVALID', `Unsupported database URL: ${redactDatabaseUrl(url)}`, {
      hint: 'Use sqlite:///absolute/path.db or postgresql://user@host/db.',
    });
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  try {
    return new SqliteStore({ path: sqlitePathOf(url) });
  } catch (error) {
    throw new MeshError(
      'DATABASE_OPEN_FAILED',
      `Cannot open database ${redactDatabaseUrl(url)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

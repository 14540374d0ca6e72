/**
 * What a database URL names, and how it is shown: every log line and error message that quotes a
 * URL passes it through {@link redactDatabaseUrl} first. No driver is loaded here.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
export function redactSecrets(message: string, url: string): string {
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

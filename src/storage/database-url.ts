/**
 * What a database URL names, and how it is shown: every log line and error message that quotes a
 * URL passes it through {@link redactDatabaseUrl} first. No driver is loaded here.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_DATABASE_PATH = 'mcp_mesh_registry.db';

/**
 * The database a URL opens, for the start-up line: a PostgreSQL URL with its password replaced,
 * or `sqlite:` and the SQLite file's absolute path (`sqlite::memory:` in memory).
 */
export function databaseLabel(databaseUrl: string | undefined): string {
  const url = databaseUrl?.trim() || DEFAULT_DATABASE_PATH;
  if (/^postgres(ql)?:\/\//i.test(url)) return redactDatabaseUrl(url);
  if (SCHEME.test(url) && !url.startsWith('sqlite:')) return redactDatabaseUrl(url);
  const path = sqlitePathOf(url);
  return path === ':memory:' ? 'sqlite::memory:' : `sqlite:${path}`;
}

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

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `password=` and `sslpassword=` parameters, up to the next parameter. */
const PASSWORD_PARAMETER = /([?&](?:ssl)?password=)[^&]*/gi;

/**
 * The password of the URL's authority as written (percent-encoded or not): what lies between the
 * first `:` after the scheme and the last `@`. Read without a URL parser, so a password with `@`,
 * `/`, `?`, `#` or spaces left unencoded is found too.
 */
function authorityPassword(url: string): { start: number; end: number } | undefined {
  const scheme = SCHEME.exec(url);
  if (scheme === null) return undefined;
  const at = url.lastIndexOf('@');
  if (at < scheme[0].length) return undefined;
  const colon = url.indexOf(':', scheme[0].length);
  if (colon === -1 || colon > at) return undefined;
  return { start: colon + 1, end: at };
}

/**
 * Replaces the password of a database URL, for logs and error messages: in the authority (up to
 * its last `@`, whatever the password holds, even when no parser accepts the URL) and in
 * `password`/`sslpassword` parameters.
 */
export function redactDatabaseUrl(url: string): string {
  const password = authorityPassword(url);
  const shown = password === undefined ? url : `${url.slice(0, password.start)}***${url.slice(password.end)}`;
  return shown.replace(PASSWORD_PARAMETER, '$1***');
}

/** Every form in which the URL's passwords might be quoted: as written, decoded, encoded. */
function passwordsOf(url: string): string[] {
  const written: string[] = [];
  const password = authorityPassword(url);
  if (password !== undefined) written.push(url.slice(password.start, password.end));
  for (const match of url.matchAll(/[?&](?:ssl)?password=([^&]*)/gi)) written.push(match[1]!);
  const forms = new Set<string>();
  for (const text of written) {
    forms.add(text);
    try {
      forms.add(decodeURIComponent(text));
    } catch {}
    forms.add(encodeURIComponent(text));
  }
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/** Removes the URL's passwords (as written, percent-decoded or encoded) from a message that might quote them. */
export function redactSecrets(message: string, url: string): string {
  let redacted = redactDatabaseUrl(message);
  for (const password of passwordsOf(url)) redacted = redacted.split(password).join('***');
  return redacted;
}

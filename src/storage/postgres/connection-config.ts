import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { PoolConfig } from 'pg';
import { MeshError } from '../../shared/errors.js';
import { redactDatabaseUrl } from '../database-url.js';

/** The query parameters we read; anything else is refused so that a typo does not pass silently. */
const KNOWN_PARAMETERS = new Set(['sslmode', 'sslrootcert', 'host', 'port', 'user', 'password', 'dbname']);

/**
 * TLS settings of libpq's `sslmode` values. `pg` cannot try TLS and fall back to plain text, so
 * `allow` and `prefer` connect without TLS; `require` encrypts without checking the certificate
 * (libpq's meaning), `verify-ca` checks the chain, `verify-full` the chain and the host name.
 */
function tlsFor(mode: string, rootCert: string | undefined, url: string): boolean | ConnectionOptions {
  const ca = rootCert === undefined ? undefined : readFileSync(rootCert, 'utf8');
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true, ca };
    default:
      throw new MeshError('DATABASE_URL_INVALID', `Unknown sslmode "${mode}" in ${redactDatabaseUrl(url)}`, {
        hint: 'Use sslmode=disable, prefer, require, verify-ca or verify-full.',
      });
  }
}

/**
 * The `pg` pool settings of a `postgresql://user:password@host:port/database?sslmode=…` URL
 * (also `postgres://`). Host, port, user, password and database may also come as query
 * parameters as libpq allows (`?host=/var/run/postgresql` for a unix socket directory).
 * Errors name the URL with its password replaced.
 */
export function poolConfigFromUrl(url: string): PoolConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MeshError('DATABASE_URL_INVALID', `Invalid database URL: ${redactDatabaseUrl(url)}`, {
      hint: 'Use postgresql://user:password@host:5432/database',
    });
  }
  const params = parsed.searchParams;
  for (const key of params.keys()) {
    if (!KNOWN_PARAMETERS.has(key)) {
      throw new MeshError(
        'DATABASE_URL_INVALID',
        `Unsupported parameter "${key}" in ${redactDatabaseUrl(url)}`,
        { hint: `Supported parameters: ${[...KNOWN_PARAMETERS].join(', ')}.` },
      );
    }
  }
  const decode = (value: string) => (value === '' ? undefined : decodeURIComponent(value));
  const host = params.get('host') ?? decode(parsed.hostname.replace(/^\[|\]$/g, ''));
  const portText = params.get('port') ?? (parsed.port || '5432');
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new MeshError('DATABASE_URL_INVALID', `Invalid port "${portText}" in ${redactDatabaseUrl(url)}`);
  }
  // What the URL leaves out, `pg` takes from PGHOST, PGUSER, PGPASSWORD, PGDATABASE as libpq does.
  return {
    host,
    port,
    user: params.get('user') ?? decode(parsed.username),
    password: params.get('password') ?? decode(parsed.password),
    database: params.get('dbname') ?? decode(parsed.pathname.replace(/^\//, '')),
    ssl: tlsFor(params.get('sslmode') ?? 'prefer', params.get('sslrootcert') ?? undefined, url),
  };
}

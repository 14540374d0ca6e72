import type { ConnectionOptions } from 'node:tls';
import type { PoolConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { describeError, MeshError } from '../../shared/errors.js';
import { redactDatabaseUrl, redactSecrets } from '../database-url.js';

/** The query parameters we read; anything else is refused so that a typo does not pass silently. */
const KNOWN_PARAMETERS = new Set([
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'fallback_application_name',
  'options',
  'client_encoding',
  'connect_timeout',
  'host',
  'port',
  'user',
  'password',
  'dbname',
]);

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * How to connect: `config` first; when the server refuses it for its TLS choice, `fallback`
 * (libpq's `prefer` tries TLS then plain text, `allow` plain text then TLS; the choice is made
 * when the registry connects first, postgres-store.ts).
 */
export interface ConnectionPlan {
  config: PoolConfig;
  fallback?: PoolConfig;
}

/**
 * TLS settings of libpq's `sslmode` values, with the certificate files the URL names:
 * `require` encrypts without checking the certificate (with `sslrootcert`, it checks the chain,
 * as libpq does), `verify-ca` checks the chain, `verify-full` the chain and the host name;
 * `prefer` and `allow` encrypt without checking, when they encrypt.
 */
function tlsFor(mode: string, files: Pick<ConnectionOptions, 'ca' | 'cert' | 'key'>): ConnectionOptions {
  switch (mode) {
    case 'allow':
    case 'prefer':
      return { rejectUnauthorized: false, ...files };
    case 'require':
      return files.ca === undefined
        ? { rejectUnauthorized: false, ...files }
        : { rejectUnauthorized: true, ...files, checkServerIdentity: () => undefined };
    case 'verify-ca':
      return { rejectUnauthorized: true, ...files, checkServerIdentity: () => undefined };
    default:
      return { rejectUnauthorized: true, ...files };
  }
}

function invalid(message: string, url: string, hint?: string): MeshError {
  return new MeshError('DATABASE_URL_INVALID', `${message} in ${redactDatabaseUrl(url)}`, { hint });
}

/**
 * How to connect to the database of a `postgresql://user:password@host:port/database?…` URL
 * (also `postgres://`). Host, port, user, password and database may also come as query
 * parameters as libpq allows (`?host=/var/run/postgresql` for a unix socket directory); the TLS
 * files, `application_name` and the other libpq parameters are read by `pg-connection-string`.
 * Errors name the URL with its password replaced.
 */
export function connectionPlanFromUrl(url: string): ConnectionPlan {
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
      throw invalid(
        `Unsupported parameter "${key}"`,
        url,
        `Supported parameters: ${[...KNOWN_PARAMETERS].join(', ')}.`,
      );
    }
  }
  const mode = params.get('sslmode') ?? 'prefer';
  if (!SSL_MODES.includes(mode)) {
    throw invalid(
      `Unknown sslmode "${mode}"`,
      url,
      'Use sslmode=disable, allow, prefer, require, verify-ca or verify-full.',
    );
  }
  const decode = (value: string) => (value === '' ? undefined : decodeURIComponent(value));
  const host = params.get('host') ?? decode(parsed.hostname.replace(/^\[|\]$/g, ''));
  const portText = params.get('port') ?? (parsed.port || '5432');
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw invalid(`Invalid port "${portText}"`, url);
  // The certificate files and libpq's other settings, read as pg-connection-string reads them.
  // Without sslmode, which is ours to apply (`tlsFor`): given it, pg-connection-string warns that
  // it reads prefer, require and verify-ca as verify-full, which this code does not do.
  const withoutMode = new URL(parsed);
  withoutMode.searchParams.delete('sslmode');
  let libpq: ReturnType<typeof parse>;
  try {
    libpq = parse(withoutMode.toString());
  } catch (error) {
    throw invalid(`Cannot read the settings (${redactSecrets(describeError(error), url)})`, url);
  }
  const read = typeof libpq.ssl === 'object' && libpq.ssl !== null ? libpq.ssl : {};
  const files = { ca: read.ca ?? undefined, cert: read.cert ?? undefined, key: read.key ?? undefined };
  const connectTimeout = Number(params.get('connect_timeout') ?? '');
  // What the URL leaves out, `pg` takes from PGHOST, PGUSER, PGPASSWORD, PGDATABASE as libpq does.
  const config: PoolConfig = {
    host,
    port,
    user: params.get('user') ?? decode(parsed.username),
    password: params.get('password') ?? decode(parsed.password),
    database: params.get('dbname') ?? decode(parsed.pathname.replace(/^\//, '')),
    ssl: mode === 'disable' || mode === 'allow' ? false : tlsFor(mode, files),
    ...(libpq.application_name ? { application_name: libpq.application_name } : {}),
    ...(libpq.fallback_application_name
      ? { fallback_application_name: libpq.fallback_application_name }
      : {}),
    ...(libpq.options ? { options: libpq.options } : {}),
    ...(libpq.client_encoding ? { client_encoding: libpq.client_encoding } : {}),
    ...(connectTimeout > 0 ? { connectionTimeoutMillis: connectTimeout * 1000 } : {}),
  };
  if (mode === 'prefer') return { config, fallback: { ...config, ssl: false } };
  if (mode === 'allow') {
    return {
      config,
      fallback: { ...config, ssl: tlsFor(mode, files) },
    };
  }
  return { config };
}

/** The settings `pg` connects with first ({@link connectionPlanFromUrl}). */
export function poolConfigFromUrl(url: string): PoolConfig {
  return connectionPlanFromUrl(url).config;
}

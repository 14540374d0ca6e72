import { MeshError } from '../../shared/errors.js';
import { databaseUnavailable } from '../engine/snapshot-sync.js';

/** Socket errors of a lost or refused connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a unix socket that is not there while the server is down
]);

/**
 * Whether an error means "the database cannot be reached right now" rather than a bad
 * statement: socket errors, `pg`'s own connection messages, and the SQLSTATE classes of
 * connection exceptions (08), operator intervention such as a shutdown (57P0x) and
 * insufficient resources (53). A statement cancelled by `statement_timeout` (57014) or a lock
 * not granted in time (55P03) counts too: the database hangs (another session holds what the
 * statement needs), and the client should retry later, as for an outage.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (/^(08|53|57P0)/.test(code) || code === '57014' || code === '55P03') return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed/i.test(
    error.message,
  );
}

/** A connection failure becomes the 503 `DATABASE_UNAVAILABLE`; anything else passes through. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof MeshError) return error;
  return isConnectionError(error) ? databaseUnavailable(error) : error;
}

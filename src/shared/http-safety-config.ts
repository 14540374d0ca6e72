import { MeshError } from './errors.js';

type Env = Record<string, string | undefined>;

/** What bounds the registry's HTTP surface: who may call it from a browser, and how much one request may take. */
export interface HttpSafetySettings {
  /**
   * Web origins granted CORS and cross-origin writes (`MCP_MESH_CORS_ORIGIN`, comma-separated,
   * upstream's setting; `*` grants any origin, without credentials). None by default.
   */
  corsOrigins: readonly string[];
  /**
   * Host names a registry bound to loopback answers besides localhost, 127.0.0.1 and [::1]
   * (`MCP_MESH_ALLOWED_HOSTS`, comma-separated, `*` any): DNS rebinding finds no other name.
   */
  allowedHosts: readonly string[];
  /**
   * Seconds a request may take to arrive, headers and body (`MCP_MESH_REQUEST_TIMEOUT`, default
   * 30): a client trickling its body is cut off then.
   */
  requestTimeoutSeconds: number;
  /** Open connections at most (`MCP_MESH_MAX_CONNECTIONS`, default 10,000); more are refused. */
  maxConnections: number;
}

/** A comma-separated setting: trimmed entries, empties dropped. */
function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function positive(env: Env, name: string, fallback: number, isInteger: boolean): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (isInteger && !Number.isInteger(value))) {
    throw new MeshError(
      'CONFIG_INVALID',
      `${name} must be a positive ${isInteger ? 'integer' : 'number'}, got "${raw}"`,
      { hint: `Unset ${name} or give it a value such as ${fallback}.` },
    );
  }
  return value;
}

export function httpSafetySettings(env: Env): HttpSafetySettings {
  return {
    corsOrigins: Object.freeze(commaList(env.MCP_MESH_CORS_ORIGIN).map((o) => o.replace(/\/+$/, ''))),
    allowedHosts: Object.freeze(commaList(env.MCP_MESH_ALLOWED_HOSTS).map((h) => h.toLowerCase())),
    requestTimeoutSeconds: positive(env, 'MCP_MESH_REQUEST_TIMEOUT', 30, false),
    maxConnections: positive(env, 'MCP_MESH_MAX_CONNECTIONS', 10_000, true),
  };
}

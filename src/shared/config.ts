import { MeshError } from './errors.js';

/** Everything the registry process is configured with; frozen, passed down. */
export interface RegistryConfig {
  host: string;
  port: number;
  /** `MCP_MESH_DATABASE_URL` (or `DATABASE_URL`); undefined means `./mcp_mesh_registry.db`. */
  databaseUrl: string | undefined;
  /** Seconds between health sweeps (`HEALTH_CHECK_INTERVAL`). */
  healthCheckIntervalSeconds: number;
  /** Seconds without a heartbeat before a current-protocol agent is unhealthy (`DEFAULT_TIMEOUT_THRESHOLD`). */
  defaultTimeoutThresholdSeconds: number;
  /** One uvicorn-style line per request on stdout (`MCP_MESH_ACCESS_LOG`, default on). */
  isAccessLogEnabled: boolean;
  logLevel: string;
  /** Largest accepted request body in bytes (`MCP_MESH_MAX_BODY_BYTES`). */
  bodyLimitBytes: number;
}

type Env = Record<string, string | undefined>;

function positiveNumber(env: Env, name: string, fallback: number, isInteger = false): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (isInteger && !Number.isInteger(value))) {
    throw new MeshError(
      'CONFIG_INVALID',
      `${name} must be a positive ${isInteger ? 'integer' : 'number'}, got "${raw}"`,
      {
        hint: `Unset ${name} or give it a value such as ${fallback}.`,
      },
    );
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new MeshError('CONFIG_INVALID', `${name} must be true or false, got "${env[name]}"`);
}

/** Builds the registry's configuration from its flags (which win) and the environment. */
export function loadRegistryConfig(
  flags: { host?: string; port?: number },
  env: Env = process.env,
): Readonly<RegistryConfig> {
  const level =
    env.MCP_MESH_LOG_LEVEL?.trim().toLowerCase() ||
    (flag(env, 'MCP_MESH_DEBUG_MODE', false) ? 'debug' : 'info');
  if (!['fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new MeshError(
      'CONFIG_INVALID',
      `MCP_MESH_LOG_LEVEL must be one of error, warn, info, debug, trace; got "${level}"`,
    );
  }
  return Object.freeze({
    host: flags.host ?? 'localhost',
    port: flags.port ?? 8000,
    databaseUrl: env.MCP_MESH_DATABASE_URL?.trim() || env.DATABASE_URL?.trim() || undefined,
    healthCheckIntervalSeconds: positiveNumber(env, 'HEALTH_CHECK_INTERVAL', 10),
    defaultTimeoutThresholdSeconds: positiveNumber(env, 'DEFAULT_TIMEOUT_THRESHOLD', 20),
    isAccessLogEnabled: flag(env, 'MCP_MESH_ACCESS_LOG', true),
    logLevel: level === 'warning' ? 'warn' : level,
    bodyLimitBytes: positiveNumber(env, 'MCP_MESH_MAX_BODY_BYTES', 10 * 1024 * 1024, true),
  });
}

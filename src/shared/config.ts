import { homedir } from 'node:os';
import { join } from 'node:path';
import { MeshError } from './errors.js';
import { type HttpSafetySettings, httpSafetySettings } from './http-safety-config.js';

/** Everything the registry process is configured with; frozen, passed down. */
export interface RegistryConfig extends HttpSafetySettings {
  host: string;
  port: number;
  /** `MCP_MESH_DATABASE_URL` (or `DATABASE_URL`); undefined means `./mcp_mesh_registry.db`. */
  databaseUrl: string | undefined;
  /** Seconds between health sweeps (`HEALTH_CHECK_INTERVAL`). */
  healthCheckIntervalSeconds: number;
  /** Seconds without a heartbeat before a current-protocol agent is unhealthy (`DEFAULT_TIMEOUT_THRESHOLD`). */
  defaultTimeoutThresholdSeconds: number;
  /**
   * Seconds without a heartbeat before a current-protocol agent's endpoint is checked with a TCP
   * connection, a refusal marking it unhealthy at once (`MCP_MESH_HEARTBEAT_PROBE_AFTER`, default
   * 5.5: the SDK's 5 s between heartbeats and a little); 0 turns the checks off.
   */
  heartbeatProbeAfterSeconds: number;
  /** One uvicorn-style line per request on stdout (`MCP_MESH_ACCESS_LOG`, default on). */
  isAccessLogEnabled: boolean;
  logLevel: string;
  /**
   * `MCP_MESH_LOG_FORMAT`: `text` (the default: uvicorn's lines and the banner as the original
   * prints them, diagnostics as pino lines) or `json` (every line one JSON object on stderr).
   */
  logFormat: LogFormat;
  /** Largest accepted request body in bytes (`MCP_MESH_MAX_BODY_BYTES`). */
  bodyLimitBytes: number;
  /** Seconds an unhealthy current-protocol agent is kept before it is purged (`MCP_MESH_RETENTION`). */
  retentionSeconds: number;
  /**
   * Where the outside world reaches agents' A2A surfaces (`MCP_MESH_PUBLIC_URL_PREFIX`, trailing
   * `/` removed); empty when unset, and then `/a2a/agents` gives paths without URLs.
   */
  publicUrlPrefix: string;
  /**
   * Seconds a call through `/proxy/*` may take when the request names no `X-Mesh-Timeout`
   * (`MCP_MESH_PROXY_TIMEOUT`, default 60, at most 600: the Go registry's cap).
   */
  proxyTimeoutSeconds: number;
  /**
   * Request headers the proxy passes on besides its fixed ones (`MCP_MESH_PROPAGATE_HEADERS`,
   * comma-separated): lower-case names, or prefixes ending in `*`; a bare `*` is ignored.
   */
  propagateHeaders: readonly string[];
  /**
   * The mesh's TLS files (`MCP_MESH_TLS_CA`, `MCP_MESH_TLS_CERT`, `MCP_MESH_TLS_KEY`): the CA that
   * agents' certificates chain to and the registry's own client certificate, for HTTPS to agents.
   */
  tlsCaFile: string | undefined;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /**
   * The event log keeps at most this many events, the oldest trimmed by the health sweep
   * (`MCP_MESH_EVENT_MAX_ROWS`, default 100,000); 0 turns the cap off.
   */
  eventMaxRows: number;
  /**
   * `MCP_MESH_ADMIN_PORT`: when above 0, the `/admin/*` routes are served on this port only (plain
   * HTTP, on the registry's host) and no longer on the main one.
   */
  adminPort: number;
  /**
   * The pause between a job's `cancelled` event and passing the cancel on to its holder, so a
   * handler waiting for events can end cleanly first (`MCP_MESH_CANCEL_EVENT_GRACE_MS`, default
   * 200, at most 10,000; text that is not a whole number ≥ 0 means the default, as upstream reads it).
   */
  cancelEventGraceMs: number;
  /** Where trusted entities' CA certificates live (`MCP_MESH_TRUST_DIR`, default `~/.mcp-mesh/tls`). */
  trustDir: string;
  /**
   * Registration trust (`MCP_MESH_TLS_MODE`): `off` serves plain HTTP; `auto` serves HTTPS and
   * verifies a client certificate when one is presented; `strict` also refuses callers without one.
   */
  tlsMode: TlsMode;
  /**
   * The trust backends that verify client certificates, in order, first match wins
   * (`MCP_MESH_TRUST_BACKEND`, comma-separated: `filestore`, `localca`; none by default).
   */
  trustBackends: readonly string[];
}

export type TlsMode = 'off' | 'auto' | 'strict';

const TLS_MODES: readonly TlsMode[] = ['off', 'auto', 'strict'];

function tlsMode(env: Env): TlsMode {
  const raw = env.MCP_MESH_TLS_MODE?.trim().toLowerCase() ?? '';
  if (raw === '') return 'off';
  if ((TLS_MODES as readonly string[]).includes(raw)) return raw as TlsMode;
  throw new MeshError(
    'CONFIG_INVALID',
    `MCP_MESH_TLS_MODE must be off, auto or strict; got "${env.MCP_MESH_TLS_MODE}"`,
  );
}

/** `MCP_MESH_TRUST_BACKEND` as upstream parses it: comma-separated, trimmed, empties dropped. */
function trustBackends(env: Env): string[] {
  return (env.MCP_MESH_TRUST_BACKEND ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
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

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds from `3600`, `90s`, `30m`, `1h`, `1h30m` (the Go duration forms upstream accepts). */
function duration(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const parts = [...raw.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== raw) {
    throw new MeshError(
      'CONFIG_INVALID',
      `${name} must be a duration such as 3600, 90s, 30m or 1h; got "${raw}"`,
    );
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}

function port(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new MeshError('CONFIG_INVALID', `${name} must be a port number (0-65535), got "${raw}"`);
  }
  return Number(raw);
}

function nonNegativeInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new MeshError('CONFIG_INVALID', `${name} must be a whole number (0 or more), got "${raw}"`);
  }
  return Number(raw);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new MeshError('CONFIG_INVALID', `${name} must be true or false, got "${env[name]}"`);
}

/** Upstream's ceiling for every proxy budget, configured or asked for (10 minutes). */
export const PROXY_TIMEOUT_CAP_SECONDS = 600;

/** `MCP_MESH_CANCEL_EVENT_GRACE_MS` as upstream reads it (`strconv.Atoi`, clamped to 10 s). */
function cancelEventGrace(raw: string | undefined): number {
  if (raw === undefined || raw === '' || !/^[+-]?\d+$/.test(raw)) return 200;
  const value = Number(raw);
  if (value < 0) return 200;
  return Math.min(value, 10_000);
}

/** `MCP_MESH_PROPAGATE_HEADERS` as upstream reads it: trimmed, lower-case, empties and bare `*` dropped. */
function headerPatterns(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '' && entry.replace(/\*$/, '') !== '');
}

const PYTHON_LEVELS: Record<string, string> = { warning: 'warn', critical: 'fatal' };

export type LogFormat = 'text' | 'json';

/** `MCP_MESH_LOG_FORMAT` as given (`text` when unset); undefined when it is neither word. */
export function logFormatOf(env: Env): LogFormat | undefined {
  const format = env.MCP_MESH_LOG_FORMAT?.trim().toLowerCase() || 'text';
  return format === 'text' || format === 'json' ? format : undefined;
}

/** Builds the registry's configuration from its flags (which win) and the environment. */
export function loadRegistryConfig(
  flags: { host?: string; port?: number },
  env: Env = process.env,
): Readonly<RegistryConfig> {
  const level =
    env.MCP_MESH_LOG_LEVEL?.trim().toLowerCase() ||
    (flag(env, 'MCP_MESH_DEBUG_MODE', false) ? 'debug' : 'info');
  // Python's level names are accepted too: agents and mcp_mesh_dev share this variable (cli.md §3.2).
  if (
    !['fatal', 'critical', 'error', 'warn', 'warning', 'info', 'debug', 'trace', 'silent'].includes(level)
  ) {
    throw new MeshError(
      'CONFIG_INVALID',
      `MCP_MESH_LOG_LEVEL must be one of critical, error, warn(ing), info, debug, trace; got "${level}"`,
    );
  }
  const logFormat = logFormatOf(env);
  if (logFormat === undefined) {
    throw new MeshError(
      'CONFIG_INVALID',
      `MCP_MESH_LOG_FORMAT must be text or json; got "${env.MCP_MESH_LOG_FORMAT?.trim()}"`,
    );
  }
  return Object.freeze({
    // HOST and PORT are the Go registry's names (registry-api-current.md §4); flags win.
    host: flags.host ?? (env.HOST?.trim() || 'localhost'),
    port: flags.port ?? port(env, 'PORT') ?? 8000,
    databaseUrl: env.MCP_MESH_DATABASE_URL?.trim() || env.DATABASE_URL?.trim() || undefined,
    healthCheckIntervalSeconds: positiveNumber(env, 'HEALTH_CHECK_INTERVAL', 10),
    defaultTimeoutThresholdSeconds: positiveNumber(env, 'DEFAULT_TIMEOUT_THRESHOLD', 20),
    heartbeatProbeAfterSeconds: duration(env, 'MCP_MESH_HEARTBEAT_PROBE_AFTER', 5.5),
    isAccessLogEnabled: flag(env, 'MCP_MESH_ACCESS_LOG', true),
    logLevel: PYTHON_LEVELS[level] ?? level,
    logFormat,
    bodyLimitBytes: positiveNumber(env, 'MCP_MESH_MAX_BODY_BYTES', 10 * 1024 * 1024, true),
    retentionSeconds: duration(env, 'MCP_MESH_RETENTION', 3600),
    publicUrlPrefix: (env.MCP_MESH_PUBLIC_URL_PREFIX ?? '').replace(/\/+$/, ''),
    proxyTimeoutSeconds: Math.min(
      positiveNumber(env, 'MCP_MESH_PROXY_TIMEOUT', 60, true),
      PROXY_TIMEOUT_CAP_SECONDS,
    ),
    propagateHeaders: Object.freeze(headerPatterns(env, 'MCP_MESH_PROPAGATE_HEADERS')),
    tlsCaFile: env.MCP_MESH_TLS_CA?.trim() || undefined,
    tlsCertFile: env.MCP_MESH_TLS_CERT?.trim() || undefined,
    tlsKeyFile: env.MCP_MESH_TLS_KEY?.trim() || undefined,
    eventMaxRows: nonNegativeInteger(env, 'MCP_MESH_EVENT_MAX_ROWS', 100_000),
    adminPort: port(env, 'MCP_MESH_ADMIN_PORT') ?? 0,
    cancelEventGraceMs: cancelEventGrace(env.MCP_MESH_CANCEL_EVENT_GRACE_MS),
    trustDir: env.MCP_MESH_TRUST_DIR?.trim() || join(homedir(), '.mcp-mesh', 'tls'),
    ...httpSafetySettings(env),
    tlsMode: tlsMode(env),
    trustBackends: Object.freeze(trustBackends(env)),
  });
}

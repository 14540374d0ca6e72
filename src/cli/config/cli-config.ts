/**
 * The CLI configuration (cli.md §3): defaults, environment, `~/.mcp_mesh/cli_config.json` and
 * `start` flags, merged with the original's rule that a value equal to the default never overrides.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parsePythonInt } from '../../shared/python/python-int.js';
import { pyJson } from '../output/python-values.js';
import { configPath } from './config-path.js';

/** The twelve keys, in the original's field-declaration order (used by `registry_state.config`). */
export interface CliConfig {
  registry_port: number;
  registry_host: string;
  db_path: string;
  log_level: string;
  health_check_interval: number;
  auto_restart: boolean;
  watch_files: boolean;
  debug_mode: boolean;
  startup_timeout: number;
  shutdown_timeout: number;
  enable_background: boolean;
  pid_file: string;
}

export type ConfigKey = keyof CliConfig;

export const DEFAULT_CONFIG: Readonly<CliConfig> = Object.freeze({
  registry_port: 8080,
  registry_host: 'localhost',
  db_path: './dev_registry.db',
  log_level: 'INFO',
  health_check_interval: 30,
  auto_restart: true,
  watch_files: true,
  debug_mode: false,
  startup_timeout: 30,
  shutdown_timeout: 30,
  enable_background: false,
  pid_file: './mcp_mesh_dev.pid',
});

export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as ConfigKey[];

const INT_KEYS = new Set<ConfigKey>([
  'registry_port',
  'health_check_interval',
  'startup_timeout',
  'shutdown_timeout',
]);
const BOOL_KEYS = new Set<ConfigKey>(['auto_restart', 'watch_files', 'debug_mode', 'enable_background']);
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/** The environment variable of each key (§3.2). */
const ENV_NAMES: Record<ConfigKey, string> = {
  registry_port: 'MCP_MESH_REGISTRY_PORT',
  registry_host: 'MCP_MESH_REGISTRY_HOST',
  db_path: 'MCP_MESH_DB_PATH',
  log_level: 'MCP_MESH_LOG_LEVEL',
  health_check_interval: 'MCP_MESH_HEALTH_CHECK_INTERVAL',
  auto_restart: 'MCP_MESH_AUTO_RESTART',
  watch_files: 'MCP_MESH_WATCH_FILES',
  debug_mode: 'MCP_MESH_DEBUG_MODE',
  startup_timeout: 'MCP_MESH_STARTUP_TIMEOUT',
  shutdown_timeout: 'MCP_MESH_SHUTDOWN_TIMEOUT',
  enable_background: 'MCP_MESH_ENABLE_BACKGROUND',
  pid_file: 'MCP_MESH_PID_FILE',
};

/** A configuration problem; its message is the `{e}` of the command's failure line (§3.7, §10). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export { configPath } from './config-path.js';

/** The truthy words of §3.4; anything else (even empty) is false. */
export function parseBool(text: string): boolean {
  return ['true', '1', 'yes', 'on'].includes(text.toLowerCase());
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/**
 * All problems of one config object, in the order of §3.6. Checking `db_path` creates its parent
 * directory, as the original's validation did (that is how `--db-path data/reg.db` gets `data/`).
 */
export function validateConfig(config: Record<string, unknown>, cwd: string): void {
  const problems: string[] = [];
  const port = config.registry_port;
  if (!isInt(port))
    problems.push(`Invalid registry_port: ${JSON.stringify(port)}. Must be an integer between 1 and 65535.`);
  else if (port < 1 || port > 65535)
    problems.push(`Invalid registry_port: ${port}. Must be between 1 and 65535.`);
  const host = config.registry_host;
  if (typeof host !== 'string' || host === '') problems.push('registry_host must be a non-empty string.');
  const level = config.log_level;
  if (typeof level !== 'string' || !LOG_LEVELS.includes(level.toUpperCase())) {
    problems.push(
      `Invalid log_level: ${typeof level === 'string' ? level : JSON.stringify(level)}. Must be one of ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].`,
    );
  }
  for (const key of ['health_check_interval', 'startup_timeout', 'shutdown_timeout'] as const) {
    const value = config[key];
    if (!isInt(value)) problems.push(`${key} must be a positive integer, not ${JSON.stringify(value)}.`);
    else if (value <= 0) problems.push(`${key} must be positive.`);
  }
  for (const key of BOOL_KEYS) {
    if (typeof config[key] !== 'boolean')
      problems.push(`${key} must be true or false, not ${JSON.stringify(config[key])}.`);
  }
  if (typeof config.pid_file !== 'string')
    problems.push(`pid_file must be a string, not ${JSON.stringify(config.pid_file)}.`);
  const dbPath = config.db_path;
  if (typeof dbPath !== 'string') {
    problems.push(`db_path must be a string, not ${JSON.stringify(dbPath)}.`);
  } else {
    const absolute = resolve(cwd, dbPath);
    if (existsSync(absolute) && !statSync(absolute).isFile()) {
      problems.push(`db_path exists but is not a file: ${dbPath}`);
    } else {
      try {
        mkdirSync(dirname(absolute), { recursive: true });
      } catch (error) {
        problems.push(`Invalid db_path: ${dbPath}. Error: ${(error as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`Configuration validation failed: ${problems.join('; ')}`);
}

/** A partial layer filled with defaults; unknown keys dropped (§3.1, §3.3). */
function fillDefaults(partial: Record<string, unknown>): Record<string, unknown> {
  const filled: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) filled[key] = key in partial ? partial[key] : DEFAULT_CONFIG[key];
  return filled;
}

/** The merge rule of §3.3: a field of the later layer wins only where it differs from the default. */
function mergeOver(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...base };
  for (const key of CONFIG_KEYS) if (layer[key] !== DEFAULT_CONFIG[key]) merged[key] = layer[key];
  return merged;
}

function environmentLayer(env: Record<string, string | undefined>): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const name = ENV_NAMES[key];
    const raw = env[name];
    if (raw === undefined) continue;
    if (INT_KEYS.has(key)) {
      const value = parsePythonInt(raw);
      if (value === undefined) throw new ConfigError(`Invalid integer value for ${name}: ${raw}`);
      layer[key] = value;
    } else if (BOOL_KEYS.has(key)) {
      layer[key] = parseBool(raw);
    } else {
      layer[key] = raw;
    }
  }
  return layer;
}

function fileLayer(path: string, cwd: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Failed to load config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Invalid JSON in config file ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Failed to load config file ${path}: the file must hold a JSON object`);
  }
  const layer = fillDefaults(parsed as Record<string, unknown>);
  try {
    validateConfig(layer, cwd);
  } catch (error) {
    throw new ConfigError(`Failed to load config file ${path}: ${(error as Error).message}`);
  }
  return layer;
}

/** The config file's text: keys sorted, 2-space indent, no trailing newline (§3.1). */
export function renderConfigFile(config: CliConfig): string {
  return pyJson(config as unknown as Record<string, string | number | boolean>, { sortKeys: true });
}

export function saveConfig(path: string, config: CliConfig): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderConfigFile(config));
  } catch (error) {
    throw new ConfigError(`Failed to save configuration to ${path}: ${(error as Error).message}`);
  }
}

export interface LoadOptions {
  home: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** `start` flags already mapped to keys; absent flags are simply not present. */
  overrides?: Partial<Record<ConfigKey, unknown>>;
}

/**
 * The effective configuration: defaults, then environment, then file, then `start` flags (§3.3),
 * each layer validated. When the file does not exist yet, the result is written to it (§3.8).
 */
export function loadConfig({ home, cwd, env, overrides }: LoadOptions): CliConfig {
  const path = configPath(home);
  const envLayer = fillDefaults(environmentLayer(env));
  validateConfig(envLayer, cwd);
  let effective = mergeOver({ ...DEFAULT_CONFIG }, envLayer);
  const fromFile = fileLayer(path, cwd);
  if (fromFile) effective = mergeOver(effective, fromFile);
  if (overrides && Object.keys(overrides).length > 0) {
    const overrideLayer = fillDefaults(overrides);
    validateConfig(overrideLayer, cwd);
    effective = mergeOver(effective, overrideLayer);
  }
  validateConfig(effective, cwd);
  const config = effective as unknown as CliConfig;
  if (!fromFile) saveConfig(path, config);
  return config;
}

/**
 * `config set` conversion (§3.9): int keys by Python `int()` (undefined when invalid), bool keys
 * by the truthy words, everything else, unknown keys included, as the string itself.
 */
export function convertSetValue(key: string, value: string): string | number | boolean | undefined {
  if (INT_KEYS.has(key as ConfigKey)) return parsePythonInt(value);
  if (BOOL_KEYS.has(key as ConfigKey)) return parseBool(value);
  return value;
}

export function isConfigKey(key: string): key is ConfigKey {
  return (CONFIG_KEYS as string[]).includes(key);
}

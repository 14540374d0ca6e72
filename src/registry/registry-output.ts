import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogFormat } from '../shared/config.js';
import { startupBanner } from './banner.js';
import { REGISTRY_VERSION } from './cli-args.js';

/** uvicorn's level prefix: the level name and a colon, padded to 9 characters, then a space. */
const PREFIX = { info: 'INFO:     ', error: 'ERROR:    ' } as const;

/**
 * Everything the registry process writes, in one of two formats. `text` is the original's: the
 * banner and its own notices on stdout, uvicorn's lifecycle lines on stderr, each as the spec
 * gives them (§10.3-10.4), and diagnostics as pino lines on stderr. `json` sends every line
 * through one pino logger on stderr, one JSON object each with a string `level` (`"info"`).
 */
export interface RegistryOutput {
  readonly format: LogFormat;
  /** Diagnostics, health sweeps and agent lifecycle lines (both formats). */
  readonly logger: Logger;
  /** The start-up banner; in JSON one line that also names the database. */
  banner(host: string, port: number, database: string): void;
  /** One of uvicorn's lifecycle lines (`Started server process [pid]`). */
  lifecycle(level: 'info' | 'error', text: string): void;
  /** One of the registry's own notices (`🛑 Shutting down registry service...`). */
  notice(text: string): void;
  /** Where access lines go: text for stdout, or the logger in JSON. */
  readonly access: AccessLogSink;
  /** Writes out what is buffered (before the process exits). */
  flush(): void;
}

/** Text lines (several at once, each ending in a newline) or the JSON logger. */
export type AccessLogSink = { write: (text: string) => void } | { logger: Logger };

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

function jsonLogger(level: string, destination: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export function registryOutput(format: LogFormat, level: string): RegistryOutput {
  const destination = pino.destination({ fd: 2, sync: false });
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing buffered yet (the stream is still opening): nothing to lose.
    }
  };
  if (format === 'text') {
    return {
      format,
      logger: pino({ level, base: { pid: process.pid } }, destination),
      banner: (host, port) => out(startupBanner(host, port)),
      lifecycle: (lineLevel, text) => err(`${PREFIX[lineLevel]}${text}\n`),
      notice: (text) => out(`${text}\n`),
      access: { write: out },
      flush,
    };
  }
  const logger = jsonLogger(level, destination);
  return {
    format,
    logger,
    banner: (host, port, database) =>
      logger.info(
        { server: `http://${host}:${port}`, database, version: REGISTRY_VERSION },
        'Starting MCP Mesh Registry Service',
      ),
    lifecycle: (lineLevel, text) => logger[lineLevel](text),
    notice: (text) => logger.info(text),
    access: { logger },
    flush,
  };
}

/** A start that failed before the output was set up (a bad setting): in the format asked for. */
export function startFailureLine(format: LogFormat | undefined, message: string): string {
  if (format !== 'json') return `❌ Failed to start registry service: ${message}\n`;
  const line = {
    level: 'error',
    time: new Date().toISOString(),
    pid: process.pid,
    msg: `Failed to start registry service: ${message}`,
  };
  return `${JSON.stringify(line)}\n`;
}

import { type Logger, pino } from 'pino';
import { loadRegistryConfig } from '../shared/config.js';
import { MeshError } from '../shared/errors.js';
import { openStore } from '../storage/open-store.js';
import { startupBanner } from './banner.js';
import { HELP, parseRegistryArgs, UsageError, VERSION_TEXT } from './cli-args.js';
import { buildAdminApp } from './http/admin-app.js';
import { buildApp } from './http/app.js';

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

function failedToStart(error: unknown): number {
  const hint = error instanceof MeshError && error.hint ? `\n${error.hint}` : '';
  err(`❌ Failed to start registry service: ${(error as Error).message}${hint}\n`);
  return 1;
}

/** Resolves to the exit code. Loads the config, opens the store, builds the app, listens. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseRegistryArgs>;
  try {
    args = parseRegistryArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
  if (args.kind === 'help' || args.kind === 'version') {
    out(args.kind === 'help' ? HELP : VERSION_TEXT);
    return 0;
  }

  let config: ReturnType<typeof loadRegistryConfig>;
  let store: Awaited<ReturnType<typeof openStore>>;
  let logger: Logger;
  try {
    config = loadRegistryConfig(args);
    logger = pino(
      { level: config.logLevel, base: { pid: process.pid } },
      pino.destination({ fd: 2, sync: false }),
    );
    store = await openStore(config.databaseUrl, { logger });
  } catch (error) {
    return failedToStart(error);
  }
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    // With TLS on, this is where a registry without its certificate or a usable trust backend stops.
    app = await buildApp({ config, store, logger, writeAccessLog: out });
  } catch (error) {
    await store.close().catch(() => {});
    return failedToStart(error);
  }
  const adminApp = config.adminPort > 0 ? await buildAdminApp({ config, store, logger }) : undefined;

  // Signal handlers come first: a signal that arrives while we start must still close cleanly.
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  let isStopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (isStopping) {
      // A second signal ends the process at once.
      process.exit(1);
    }
    isStopping = true;
    err('INFO:     Shutting down\nINFO:     Waiting for application shutdown.\n');
    try {
      await adminApp?.close();
      await app.close();
      await store.close();
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
    }
    err(`INFO:     Application shutdown complete.\nINFO:     Finished server process [${process.pid}]\n`);
    out(
      `Received signal ${signal === 'SIGINT' ? 2 : 15}, initiating graceful shutdown...\n🛑 Shutting down registry service...\n✅ Registry service stopped\n`,
    );
    logger.flush();
    resolveStopped(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  out(startupBanner(config.host, config.port));
  err(`INFO:     Started server process [${process.pid}]\nINFO:     Waiting for application startup.\n`);
  // `localhost` binds IPv4 127.0.0.1 only, as uvicorn does (spec §10.1).
  const listenHost = config.host === 'localhost' ? '127.0.0.1' : config.host;
  let listening: typeof adminApp;
  try {
    if (isStopping) return stopped;
    await app.listen({ host: listenHost, port: config.port });
    listening = adminApp;
    await adminApp?.listen({ host: listenHost, port: config.adminPort });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? 'address already in use' : (error as Error).message;
    const port = listening === undefined ? config.port : config.adminPort;
    err(`ERROR:    error while attempting to bind on address ('${config.host}', ${port}): ${reason}\n`);
    isStopping = true;
    await adminApp?.close().catch(() => {});
    await app.close().catch(() => {});
    await store.close().catch(() => {});
    return 1;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : config.port;
  err(
    `INFO:     Application startup complete.\nINFO:     Uvicorn running on ${config.tlsMode === 'off' ? 'http' : 'https'}://${config.host}:${boundPort} (Press CTRL+C to quit)\n`,
  );
  if (adminApp) err(`INFO:     Admin API on http://${config.host}:${config.adminPort}\n`);

  return stopped;
}

import { loadRegistryConfig, logFormatOf } from '../shared/config.js';
import { MeshError } from '../shared/errors.js';
import { databaseLabel } from '../storage/database-url.js';
import { openStore } from '../storage/open-store.js';
import { HELP, parseRegistryArgs, UsageError, VERSION_TEXT } from './cli-args.js';
import { buildAdminApp } from './http/admin-app.js';
import { buildApp } from './http/app.js';
import { type RegistryOutput, registryOutput, startFailureLine } from './registry-output.js';

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

function failedToStart(error: unknown, output: RegistryOutput | undefined): number {
  const hint = error instanceof MeshError && error.hint ? `\n${error.hint}` : '';
  const message = `${(error as Error).message}${hint}`;
  if (output?.format === 'json') {
    output.logger.error(`Failed to start registry service: ${message}`);
    output.flush();
  } else {
    err(startFailureLine(logFormatOf(process.env), message));
  }
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
  let output: RegistryOutput | undefined;
  try {
    config = loadRegistryConfig(args);
    output = registryOutput(config.logFormat, config.logLevel);
    store = await openStore(config.databaseUrl, { logger: output.logger });
  } catch (error) {
    return failedToStart(error, output);
  }
  const { logger } = output;
  const database = databaseLabel(config.databaseUrl);
  logger.info({ database }, `database opened: ${database}`);
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    // With TLS on, this is where a registry without its certificate or a usable trust backend stops.
    app = await buildApp({ config, store, logger, accessLog: output.access });
  } catch (error) {
    await store.close().catch(() => {});
    return failedToStart(error, output);
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
    output.lifecycle('info', 'Shutting down');
    output.lifecycle('info', 'Waiting for application shutdown.');
    try {
      await adminApp?.close();
      await app.close();
      await store.close();
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
    }
    output.lifecycle('info', 'Application shutdown complete.');
    output.lifecycle('info', `Finished server process [${process.pid}]`);
    output.notice(`Received signal ${signal === 'SIGINT' ? 2 : 15}, initiating graceful shutdown...`);
    output.notice('🛑 Shutting down registry service...');
    output.notice('✅ Registry service stopped');
    output.flush();
    resolveStopped(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  output.banner(config.host, config.port, database);
  output.lifecycle('info', `Started server process [${process.pid}]`);
  output.lifecycle('info', 'Waiting for application startup.');
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
    output.lifecycle(
      'error',
      `error while attempting to bind on address ('${config.host}', ${port}): ${reason}`,
    );
    isStopping = true;
    await adminApp?.close().catch(() => {});
    await app.close().catch(() => {});
    await store.close().catch(() => {});
    output.flush();
    return 1;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : config.port;
  output.lifecycle('info', 'Application startup complete.');
  output.lifecycle(
    'info',
    `Uvicorn running on ${config.tlsMode === 'off' ? 'http' : 'https'}://${config.host}:${boundPort} (Press CTRL+C to quit)`,
  );
  if (adminApp) output.lifecycle('info', `Admin API on http://${config.host}:${config.adminPort}`);

  return stopped;
}

import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/registry/http/app.js';
import { loadRegistryConfig, type RegistryConfig } from '../../src/shared/config.js';
import { openStore } from '../../src/storage/open-store.js';
import type { RegistryStore } from '../../src/storage/registry-store.js';
import { tempDir } from './temp-dir.js';
import { freshDatabaseUrl } from './test-database.js';

export interface RunningRegistry extends AsyncDisposable {
  app: FastifyInstance;
  store: RegistryStore;
  baseUrl: string;
  /** The database it runs on (a fresh one per registry, in the dialect of this run). */
  databaseUrl: string;
  /** Closes app and store, then starts them again on the same database file. */
  restart(): Promise<void>;
}

/**
 * The real registry app on 127.0.0.1, port 0, over a fresh database of the run's dialect: a real
 * SQLite file in a temp dir, or a new database in the run's real PostgreSQL (one suite, every
 * dialect). `databaseUrl` overrides it (a second replica on the same database). Endpoint probes
 * (MCP_MESH_HEARTBEAT_PROBE_AFTER) are off unless `env` turns them on.
 */
export async function startRegistry(
  options: { env?: Record<string, string>; databaseUrl?: string; host?: string } = {},
): Promise<RunningRegistry> {
  const dir = tempDir('mesh-registry-');
  const databaseUrl = options.databaseUrl ?? (await freshDatabaseUrl(dir.path));
  const config: RegistryConfig = {
    ...loadRegistryConfig(
      { host: options.host ?? '127.0.0.1', port: 0 },
      // The tests' agents name endpoints nothing listens on: no probes unless a test asks.
      { MCP_MESH_ACCESS_LOG: 'false', MCP_MESH_HEARTBEAT_PROBE_AFTER: '0', ...options.env },
    ),
    databaseUrl,
  };
  const logger = pino({ level: 'silent' });
  let store = await openStore(databaseUrl);
  let app = await buildApp({ config, store, logger });
  // `host` is the configured bind address (0.0.0.0 turns the Host check off); tests reach it on 127.0.0.1.
  const listenHost = options.host === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1';
  await app.listen({ host: listenHost, port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const running: RunningRegistry = {
    app,
    store,
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl,
    async restart() {
      await running.app.close();
      await running.store.close();
      store = await openStore(databaseUrl);
      app = await buildApp({ config, store, logger });
      await app.listen({ host: listenHost, port });
      running.app = app;
      running.store = store;
    },
    async [Symbol.asyncDispose]() {
      await running.app.close();
      await running.store.close();
      dir[Symbol.dispose]();
    },
  };
  return running;
}

/**
 * The longest turn of the event loop while the registry (the built one, in this process, on a
 * fresh SQLite file) handles the heaviest requests a client may send: a full heartbeat of a
 * consumer with 1,000 dependencies among 1,000 providers, and `GET /agents` after a provider's
 * change made every one of those resolutions stale. Each round changes a provider's version
 * first, so both do their work again. Prints, per request, its time and the longest gap between
 * ticks of a 1 ms interval (the longest turn: what every other request waited at most).
 *
 *   npm run build && node bench/listing-turns.ts [--rounds 3]
 *   node --trace-gc bench/listing-turns.ts      # and the collections between them
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { RegistryStore } from '../src/storage/registry-store.ts';
import { heartbeatBody } from '../test/helpers/heartbeat-body.ts';
import { REPO_ROOT } from './lib/servers.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const PROVIDERS = 1000;
const DEPENDENCIES_PER_TOOL = 250;

const dist = (path: string) => import(join(REPO_ROOT, 'dist', path));
const { buildApp } = (await dist('registry/http/app.js')) as {
  buildApp(deps: object): Promise<FastifyInstance>;
};
const { loadRegistryConfig } = (await dist('shared/config.js')) as {
  loadRegistryConfig(args: object, env: object): object;
};
const { openStore } = (await dist('storage/open-store.js')) as {
  openStore(url: string): Promise<RegistryStore>;
};

const dir = mkdtempSync(join(tmpdir(), 'mesh-listing-turns-'));
const config = {
  ...loadRegistryConfig(
    { host: '127.0.0.1', port: 0 },
    { MCP_MESH_ACCESS_LOG: 'false', HEALTH_CHECK_INTERVAL: '3600', MCP_MESH_HEARTBEAT_PROBE_AFTER: '0' },
  ),
  databaseUrl: `sqlite://${join(dir, 'registry.db')}`,
};
const store = await openStore(config.databaseUrl);
const app = await buildApp({ config, store, logger: pino({ level: 'silent' }) });
await app.ready();

const provider = (i: number, minor = i % 50) =>
  heartbeatBody(`provider${i}-abc12345`, {
    tools: [
      {
        function_name: 'serve',
        capability: 'svc',
        version: `1.${minor}.0`,
        tags: ['common', `t${i % 100}`, `p${i % 7}`],
      },
    ],
  });
// 50 distinct specs, each asked 20 times (as test/registry/resolver-cost.test.ts).
const consumer = (round: number) =>
  heartbeatBody('consumer-abc12345', {
    version: `1.0.${round}`,
    tools: [0, 1, 2, 3].map((t) => ({
      function_name: `use${t}`,
      capability: `use${t}`,
      dependencies: Array.from({ length: DEPENDENCIES_PER_TOOL }, (_, j) => {
        const i = t * DEPENDENCIES_PER_TOOL + j;
        return { capability: 'svc', tags: [`t${i % 50}`, `+p${i % 5}`], version: `>=1.${i % 10}.0` };
      }),
    })),
  });

async function longestTurn(what: string, work: () => Promise<{ statusCode: number }>): Promise<void> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  const res = await work();
  const took = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  console.log(
    `${what}: ${res.statusCode}, ${took.toFixed(1)} ms in all, longest turn ${longest.toFixed(1)} ms`,
  );
}

console.log(
  `node ${process.version}; ${PROVIDERS} providers of one capability, a consumer of ${4 * DEPENDENCIES_PER_TOOL} dependencies; app.inject, SQLite`,
);
for (let i = 0; i < PROVIDERS; i++)
  await app.inject({ method: 'POST', url: '/heartbeat', payload: provider(i) });
for (let round = 0; round < Number(values.rounds); round++) {
  await app.inject({ method: 'POST', url: '/heartbeat', payload: provider(round, 60 + round) });
  await longestTurn(`round ${round}: the consumer's full heartbeat`, () =>
    app.inject({ method: 'POST', url: '/heartbeat', payload: consumer(round) }),
  );
  await app.inject({ method: 'POST', url: '/heartbeat', payload: provider(round, 80 + round) });
  await longestTurn(`round ${round}: GET /agents`, () => app.inject({ method: 'GET', url: '/agents' }));
}
// With --expose-gc: what stays live, not what awaits collection.
(globalThis as { gc?: () => void }).gc?.();
const { heapUsed, rss } = process.memoryUsage();
console.log(
  `after ${values.rounds} rounds: heap used ${(heapUsed / 2 ** 20).toFixed(0)} MB, RSS ${(rss / 2 ** 20).toFixed(0)} MB`,
);
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

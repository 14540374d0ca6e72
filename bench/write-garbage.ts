/**
 * How much of the old generation each write fills, through the store alone (no HTTP): 10,000
 * agents registered, then heartbeats (or status changes that match no row) at a fixed rate, in the
 * small batches that rate gives. Old-generation bytes are what a major collection must later
 * sweep; at 2,000 heartbeats/s they set how often the scale test pauses for one. The figure that
 * cannot be avoided is the new version of the agent kept in memory (it lives until the agent's
 * next heartbeat); everything above it is garbage that outlived the young generation.
 *
 * Uses the built registry (`npm run build`); prints one line per workload.
 *
 *   node --max-semi-space-size=2 bench/write-garbage.ts [--rate 2000] [--seconds 5] [--agents 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import type { AgentRecord } from '../src/mesh/agent.ts';
import type { RegistryStore } from '../src/storage/registry-store.ts';
import { REPO_ROOT } from './lib/servers.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '5' },
    agents: { type: 'string', default: '10000' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const agents = Number(values.agents);

const { openStore } = (await import(join(REPO_ROOT, 'dist', 'storage', 'open-store.js'))) as {
  openStore(url: string, options: object): Promise<RegistryStore>;
};

function agentRecord(i: number, now: number): AgentRecord {
  return {
    id: `agent-${i}`,
    name: `agent-${i}`,
    namespace: 'default',
    labels: {},
    annotations: {},
    createdAt: now,
    updatedAt: now,
    resourceVersion: String(now),
    endpoint: `http://127.0.0.1:${9000 + (i % 1000)}`,
    capabilities: [
      {
        name: `cap_${i % 100}`,
        description: null,
        version: '1.0.0',
        tags: ['a'],
        category: null,
        stability: 'stable',
        functionName: `tool_${i}`,
      },
    ],
    dependencies: [],
    status: 'healthy',
    lastHeartbeat: now,
    healthInterval: 30,
    timeoutThreshold: 60,
    evictionThreshold: 120,
    agentType: 'mcp_agent',
    config: {},
    securityContext: null,
    protocol: 'current',
    topologyAt: now,
  };
}

const oldSpaceUsed = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

async function measure(label: string, write: (store: RegistryStore, n: number) => Promise<unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-write-garbage-'));
  const store = await openStore(`sqlite://${join(dir, 'registry.db')}`, {});
  try {
    const now = Date.now() * 1000;
    for (let i = 0; i < agents; i += 100) {
      const batch = Array.from({ length: Math.min(100, agents - i) }, (_, j) => agentRecord(i + j, now));
      await Promise.all(batch.map((agent) => store.upsertAgent(agent)));
    }
    let majors = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if ((entry as { detail?: { kind?: number } }).detail?.kind === 4) majors++;
    });
    observer.observe({ entryTypes: ['gc'] });
    let sent = 0;
    let grown = 0;
    let last = oldSpaceUsed();
    const start = performance.now();
    await new Promise<void>((done) => {
      const pending: Promise<unknown>[] = [];
      const tick = () => {
        const due = Math.min(rate * seconds, Math.floor(((performance.now() - start) / 1000) * rate));
        while (sent < due) pending.push(write(store, sent++));
        const used = oldSpaceUsed();
        if (used > last) grown += used - last;
        last = used;
        if (sent < rate * seconds) setTimeout(tick, 1);
        else void Promise.all(pending).then(() => done());
        if (pending.length > 10_000) pending.splice(0, pending.length - 1000);
      };
      tick();
    });
    observer.disconnect();
    console.log(
      `${label}: ${sent} writes at ${rate}/s, old generation grew ${(grown / sent).toFixed(0)} bytes per write ` +
        `(${(grown / seconds / 1e6).toFixed(1)} MB/s), ${majors} major collection(s)`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `node ${process.version} ${process.execArgv.join(' ')}; ${agents} agents; old-space growth summed between 1 ms ticks`,
);
await measure('heartbeat', (store, n) =>
  store.recordHeartbeat(`agent-${n % agents}`, Date.now() * 1000, 'healthy'),
);
await measure('status change matching no row', (store, n) =>
  store.applyStatusChanges([
    {
      id: `agent-${n % agents}`,
      fromStatus: 'unhealthy',
      toStatus: 'healthy',
      lastHeartbeat: 1,
      at: Date.now() * 1000,
    },
  ]),
);

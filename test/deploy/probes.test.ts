/**
 * The chart's probes against a real registry whose PostgreSQL goes away (issue 18, docs/deploy.md):
 * liveness keeps answering, so an outage restarts no replica; readiness fails, so the replica
 * leaves the Service until the database is back. Requests are sent as the kubelet sends them: to
 * the pod's address, with `Host: <pod IP>:<port>` and the kube-probe user agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MANIFEST_VARIANTS, renderChart } from '../../scripts/release/helm.ts';
import { type HttpResponse, send } from '../helpers/http-request.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js';
import { type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

interface Probe {
  httpGet: { path: string; port: string };
  timeoutSeconds?: number;
}

/** The registry container of the chart rendered for PostgreSQL. */
function renderedProbes(): { liveness: Probe; readiness: Probe; startup: Probe; containerPort: number } {
  const objects = parseAllDocuments(renderChart(MANIFEST_VARIANTS['mcp-mesh-registry-postgresql.yaml']!))
    .map((document) => document.toJS())
    // biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are read field by field.
    .filter((object): object is Record<string, any> => object?.kind === 'Deployment');
  const container = objects[0]!.spec.template.spec.containers[0];
  const http = container.ports.find((port: { name: string }) => port.name === 'http');
  return {
    liveness: container.livenessProbe,
    readiness: container.readinessProbe,
    startup: container.startupProbe,
    containerPort: http.containerPort,
  };
}

let server: PostgresServer;
let registry: RegistryProcess;
const probes = renderedProbes();

beforeAll(async () => {
  // This test stops its database, so it has a cluster of its own.
  server = await startPostgres();
  const databaseUrl = await createPostgresDatabase(server.adminUrl);
  // Bound as the chart binds it (HOST=0.0.0.0), so the kubelet's Host header is a pod address.
  registry = await spawnRegistry(['--host', '0.0.0.0', '--port', '0'], {
    MCP_MESH_DATABASE_URL: databaseUrl,
  });
});
afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
  await server?.[Symbol.asyncDispose]();
});

/** One probe as the kubelet makes it; success is a status from 200 to 399 within its timeout. */
async function probe(which: Probe): Promise<{ ok: boolean; response: HttpResponse; ms: number }> {
  const started = Date.now();
  const response = await send(`http://127.0.0.1:${registry.port}`, {
    path: which.httpGet.path,
    headers: {
      host: `10.244.1.7:${probes.containerPort}`,
      'user-agent': 'kube-probe/1.33',
      accept: '*/*',
      connection: 'close',
    },
  });
  const ms = Date.now() - started;
  const withinTimeout = ms < (which.timeoutSeconds ?? 1) * 1000;
  return { ok: response.status >= 200 && response.status < 400 && withinTimeout, response, ms };
}

async function eventually(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the chart probes a registry that loses its database', () => {
  it('probes liveness on a route other than readiness', () => {
    expect(probes.liveness.httpGet.port).toBe('http');
    expect(probes.liveness.httpGet.path).not.toBe(probes.readiness.httpGet.path);
  });

  it('passes every probe while the database is there', async () => {
    for (const which of [probes.startup, probes.readiness, probes.liveness]) {
      const result = await probe(which);
      expect(result.ok, `${which.httpGet.path}: ${result.response.status} ${result.response.body}`).toBe(
        true,
      );
    }
  });

  it('keeps liveness passing and fails readiness while PostgreSQL is down, and recovers', async () => {
    server.stop();
    try {
      await eventually(async () => !(await probe(probes.readiness)).ok, 15_000);
      const readiness = await probe(probes.readiness);
      expect(readiness.response.status).toBe(503);
      // Several liveness periods' worth of probes: every one passes, in time.
      for (let attempt = 0; attempt < 10; attempt++) {
        const liveness = await probe(probes.liveness);
        expect(
          liveness.ok,
          `${liveness.response.status} in ${liveness.ms} ms: ${liveness.response.body}`,
        ).toBe(true);
      }
    } finally {
      server.start();
    }
    await eventually(async () => (await probe(probes.readiness)).ok, 30_000);
    expect((await probe(probes.liveness)).ok).toBe(true);
  });
});

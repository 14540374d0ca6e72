import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { send } from '../helpers/http-request.js';
import { type Family, parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { TEST_DIALECT } from '../helpers/test-database.js';

const json = { 'content-type': 'application/json' };

async function scrape(registry: RunningRegistry): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await send(registry.baseUrl, { path: '/metrics/prometheus' });
  expect(res.status).toBe(200);
  return { text: res.body, families: parsePrometheusText(res.body) };
}

describe('/metrics/prometheus beyond the legacy families (prom-client)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    // A legacy agent, a current-protocol provider and a consumer with one dependency it finds
    // and one it does not.
    const legacy = await send(registry.baseUrl, {
      method: 'POST',
      path: '/agents/register_with_metadata',
      headers: json,
      body: JSON.stringify({ agent_id: 'old-agent', metadata: {}, timestamp: '2025-06-08T10:00:00.000000' }),
    });
    expect(legacy.status).toBe(201);
    for (const body of [
      heartbeatBody('clock-a1b2'),
      heartbeatBody('report-c3d4', {
        tools: [
          {
            function_name: 'make_report',
            capability: 'report',
            version: '1.0.0',
            dependencies: [{ capability: 'time_service' }, { capability: 'weather_service' }],
          },
        ],
      }),
    ]) {
      const res = await send(registry.baseUrl, {
        method: 'POST',
        path: '/heartbeat',
        headers: json,
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    }
    for (const path of ['/health/clock-a1b2', '/health/report-c3d4', '/no-such-1', '/no-such-2']) {
      await send(registry.baseUrl, { path });
    }
  });
  afterAll(async () => {
    await registry[Symbol.asyncDispose]();
  });

  it('parses as one exposition, the legacy families first, each family declared once', async () => {
    const { text, families } = await scrape(registry);
    expect(text.startsWith('# HELP mcp_registry_agents_total Total number of registered agents\n')).toBe(
      true,
    );
    // The seven legacy families, then ours: none of ours in the legacy namespace.
    const names = [...families.keys()];
    expect(names.slice(0, 7).every((n) => n.startsWith('mcp_registry_'))).toBe(true);
    expect(names.slice(7).filter((n) => n.startsWith('mcp_registry_'))).toEqual([]);
    for (const family of families.values())
      expect(family.type, family.name).toMatch(/^(gauge|counter|histogram|summary)$/);
  });

  it('has process and runtime metrics and the build info', async () => {
    const { families } = await scrape(registry);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    const info = families.get('mcp_mesh_registry_build_info')!.samples;
    expect(info).toEqual([
      {
        name: 'mcp_mesh_registry_build_info',
        labels: {
          version: '0.1.0',
          node_version: process.version,
          database: TEST_DIALECT === 'postgres' ? 'postgresql' : 'sqlite',
        },
        value: 1,
      },
    ]);
  });

  it('times requests by route pattern, never by raw URL', async () => {
    const { families } = await scrape(registry);
    const name = 'mcp_mesh_registry_http_request_duration_seconds';
    const family = families.get(name)!;
    expect(family.type).toBe('histogram');
    // Two agents' health, one series; two unknown paths, one series.
    expect(
      sampleValue(families, `${name}_count`, { route: '/health/:agent_id', method: 'GET', status: '200' }),
    ).toBe(2);
    expect(
      sampleValue(families, `${name}_count`, { route: '(unmatched)', method: 'GET', status: '404' }),
    ).toBe(2);
    expect(
      sampleValue(families, `${name}_count`, { route: '/heartbeat', method: 'POST', status: '200' }),
    ).toBe(2);
    const routes = new Set(family.samples.map((s) => s.labels.route));
    expect([...routes].filter((r) => /clock-a1b2|report-c3d4|no-such/.test(r ?? ''))).toEqual([]);
    // Cumulative buckets ending in +Inf = count, and a sum of real durations.
    const series = { route: '/health/:agent_id', method: 'GET', status: '200' };
    const buckets = family.samples.filter(
      (s) => s.name === `${name}_bucket` && s.labels.route === series.route && s.labels.status === '200',
    );
    const counts = buckets.map((s) => s.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(counts.at(-1)).toBe(2);
    const sum = sampleValue(families, `${name}_sum`, series)!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(20);
  });

  it('counts agents by status and protocol, and dependency resolutions', async () => {
    const { families } = await scrape(registry);
    const agents = (labels: Record<string, string>) =>
      sampleValue(families, 'mcp_mesh_registry_agents', labels);
    expect(agents({ status: 'healthy', protocol: 'current' })).toBe(2);
    expect(agents({ status: 'pending', protocol: 'legacy' })).toBe(1);
    expect(agents({ status: 'unhealthy', protocol: 'current' })).toBe(0);
    const resolutions = (status: string) =>
      sampleValue(families, 'mcp_mesh_registry_dependency_resolutions', { status });
    expect(resolutions('available')).toBe(1);
    expect(resolutions('unresolved')).toBe(1);
  });

  it('reports commit batch sizes, the database pool and the replica sync lag', async () => {
    const { families } = await scrape(registry);
    const batches = 'mcp_mesh_registry_commit_batch_size';
    expect(families.get(batches)!.type).toBe('histogram');
    // Three registrations at least (one per request: each waited for its answer).
    expect(sampleValue(families, `${batches}_sum`)).toBeGreaterThanOrEqual(3);
    expect(sampleValue(families, `${batches}_count`)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, `${batches}_bucket`, { le: '1' })).toBeGreaterThanOrEqual(3);

    const pool = (state: string) => sampleValue(families, 'mcp_mesh_registry_db_pool_connections', { state });
    if (TEST_DIALECT === 'postgres') {
      expect(pool('total')).toBeGreaterThanOrEqual(1);
      expect(pool('idle')).toBeLessThanOrEqual(pool('total')!);
    } else {
      expect(pool('total')).toBe(0);
    }
    expect(sampleValue(families, 'mcp_mesh_registry_db_pool_waiting')).toBe(0);

    // Pulled every 200 ms (PostgreSQL) or 500 ms (SQLite): within the replicas' 1 s promise, with
    // room for a loaded machine's late timers (before the first pull it would be infinite).
    const lag = sampleValue(families, 'mcp_mesh_registry_sync_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(3);
  });
});

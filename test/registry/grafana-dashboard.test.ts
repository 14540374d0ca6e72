import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../helpers/http-request.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { REPO_ROOT } from '../helpers/registry-process.js';

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
}

const DASHBOARD_PATH = join(REPO_ROOT, 'deploy', 'grafana', 'mcp-mesh-registry.json');

/** PromQL words that are not series: functions, aggregations and their modifiers. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/**
 * The series names a PromQL expression reads: identifiers left once strings, label matchers,
 * range selectors, grouping lists and Grafana's `$variables` are taken out, that are neither
 * numbers, keywords nor function calls.
 */
function seriesNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (match[2] !== undefined || KEYWORDS.has(match[1]!)) continue;
    names.push(match[1]!);
  }
  return names;
}

describe('the Grafana dashboard (deploy/grafana/mcp-mesh-registry.json)', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
  const exprs = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ panel: panel.title, expr: t.expr })),
  );
  let registry: RunningRegistry;
  let exported: Set<string>;
  beforeAll(async () => {
    registry = await startRegistry();
    // A request first, so that the latency histogram has a series.
    await send(registry.baseUrl, { path: '/health' });
    const res = await send(registry.baseUrl, { path: '/metrics/prometheus' });
    exported = new Set(
      [...parsePrometheusText(res.body).values()].flatMap((f) => f.samples.map((s) => s.name)),
    );
  });
  afterAll(async () => {
    await registry[Symbol.asyncDispose]();
  });

  it('reads only series the registry exports, in every query', () => {
    expect(exprs.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const { panel, expr } of exprs) {
      const names = seriesNames(expr);
      expect(names, `${panel}: ${expr}`).not.toEqual([]);
      for (const name of names) if (!exported.has(name)) missing.push(`${panel}: ${name}`);
    }
    // The replica selector's query too.
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : '';
      const series = /^label_values\((\w+),/.exec(query)?.[1];
      if (series !== undefined && !exported.has(series)) missing.push(`$${variable.name}: ${series}`);
    }
    expect(missing).toEqual([]);
  });

  it('shows latency, agents, resolutions, pool, batches, sync lag and the process', () => {
    const read = new Set(exprs.flatMap(({ expr }) => seriesNames(expr)));
    for (const name of [
      'mcp_mesh_registry_http_request_duration_seconds_bucket',
      'mcp_mesh_registry_agents',
      'mcp_mesh_registry_dependency_resolutions',
      'mcp_mesh_registry_db_pool_connections',
      'mcp_mesh_registry_commit_batch_size_bucket',
      'mcp_mesh_registry_sync_lag_seconds',
      'mcp_mesh_registry_build_info',
      'process_cpu_seconds_total',
    ]) {
      expect(read.has(name), name).toBe(true);
    }
  });

  it('finds the series in an expression as PromQL reads it', () => {
    expect(
      seriesNames(
        'histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{instance=~"$instance", x="by(y)"}[$__rate_interval]))) / on (job) b_total',
      ),
    ).toEqual(['a_bucket', 'b_total']);
  });
});

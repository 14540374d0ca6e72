import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AgentProtocol, AgentStatus } from '../../mesh/agent.js';
import type { RegistryStore } from '../../storage/registry-store.js';
import { REGISTRY_VERSION } from '../cli-args.js';
import type { MeshTopology } from '../current-api/mesh-topology.js';
import { BucketHistogram } from './bucket-histogram.js';
import { RequestLatency } from './request-latency.js';

const STATUSES: readonly AgentStatus[] = [
  'healthy',
  'degraded',
  'unhealthy',
  'expired',
  'offline',
  'pending',
];
const PROTOCOLS: readonly AgentProtocol[] = ['current', 'legacy'];

/**
 * The registry's own Prometheus series (beside the legacy families of `/metrics/prometheus`),
 * written by prom-client. Everything but the request latency is read at scrape time (`collect`),
 * so nothing here costs a request or a write more than the few array increments of
 * {@link RequestLatency} and the write batcher's batch sizes.
 */
export class RegistryMetrics {
  readonly registry = new Registry();
  readonly latency = new RequestLatency();

  constructor(store: RegistryStore, topology: MeshTopology) {
    const registers = [this.registry];
    // Process and runtime: CPU, memory, file descriptors, event-loop lag, GC, heap spaces.
    collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: 'mcp_mesh_registry_build_info',
      help: 'Always 1; the labels name the registry version, the Node.js version and the database',
      labelNames: ['version', 'node_version', 'database'],
      registers,
    }).set(
      { version: REGISTRY_VERSION, node_version: process.version, database: store.stats.databaseKind },
      1,
    );

    new BucketHistogram(
      {
        name: 'mcp_mesh_registry_http_request_duration_seconds',
        help: 'Time from a request arriving to its answer sent, by route pattern, method and status',
        labelNames: ['route', 'method', 'status'],
        buckets: this.latency.bounds,
      },
      () => this.latency.series(),
      registers,
    );

    new Gauge({
      name: 'mcp_mesh_registry_agents',
      help: 'Agents the registry knows (cluster-wide), by status and protocol',
      labelNames: ['status', 'protocol'],
      registers,
      collect() {
        const counts = new Map<string, number>();
        for (const agent of store.listAgents()) {
          const key = `${agent.status} ${agent.protocol}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const status of STATUSES) {
          for (const protocol of PROTOCOLS)
            this.set({ status, protocol }, counts.get(`${status} ${protocol}`) ?? 0);
        }
      },
    });

    new Gauge({
      name: 'mcp_mesh_registry_dependency_resolutions',
      help: "Current-protocol agents' declared dependencies, by whether a provider resolves them now",
      labelNames: ['status'],
      registers,
      collect() {
        let available = 0;
        let unresolved = 0;
        for (const agent of store.listAgents()) {
          if (agent.protocol !== 'current') continue;
          for (const resolutions of Object.values(topology.resolveFor(agent))) {
            for (const resolution of resolutions) {
              if (resolution.status === 'available') available++;
              else unresolved++;
            }
          }
        }
        this.set({ status: 'available' }, available);
        this.set({ status: 'unresolved' }, unresolved);
      },
    });

    const pool = () => store.stats.poolCounts() ?? { total: 0, idle: 0, waiting: 0 };
    new Gauge({
      name: 'mcp_mesh_registry_db_pool_connections',
      help: 'PostgreSQL pool connections open (total) and idle; 0 on SQLite, which has no pool',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = pool();
        this.set({ state: 'total' }, counts.total);
        this.set({ state: 'idle' }, counts.idle);
      },
    });
    new Gauge({
      name: 'mcp_mesh_registry_db_pool_waiting',
      help: 'Callers waiting for a PostgreSQL pool connection; 0 on SQLite',
      registers,
      collect() {
        this.set(pool().waiting);
      },
    });

    new BucketHistogram(
      {
        name: 'mcp_mesh_registry_commit_batch_size',
        help: 'Writes per database transaction (group commit: the writes that arrived together)',
        buckets: store.stats.batchSizes.bounds,
      },
      () => [{ labels: {}, counts: store.stats.batchSizes }],
      registers,
    );

    new Gauge({
      name: 'mcp_mesh_registry_sync_lag_seconds',
      help: "Seconds since the last successful pull of other replicas' writes started: how much older than the database this replica's reads may be",
      registers,
      collect() {
        this.set(store.stats.syncLagSeconds());
      },
    });
  }

  /** The text exposition of every series above. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

import { BucketCounts } from '../../shared/bucket-counts.js';
import type { BucketSeries } from './bucket-histogram.js';

/** Seconds; from a HEAD /heartbeat's fraction of a millisecond to a slow proxied call. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Requests no route matched share one series, so unknown paths cannot add series. */
const UNMATCHED = '(unmatched)';

/** One route pattern's durations, by method and status code. */
export class RouteLatency {
  /** method → status → counts. */
  readonly byMethod = new Map<string, Map<number, BucketCounts>>();

  constructor(readonly route: string) {}

  /** Two map lookups on values the request holds, then a few comparisons: no allocation. */
  observe(method: string, status: number, seconds: number): void {
    let byStatus = this.byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.byMethod.set(method, byStatus);
    }
    let counts = byStatus.get(status);
    if (counts === undefined) {
      counts = new BucketCounts(LATENCY_BUCKETS);
      byStatus.set(status, counts);
    }
    counts.observe(seconds);
  }
}

/**
 * Request durations by route pattern (`/agents/:agent_id`, never the raw URL: a bounded number of
 * series), method and status code.
 */
export class RequestLatency {
  readonly bounds = LATENCY_BUCKETS;
  private readonly routes = new Map<string, RouteLatency>();

  /** The series of a route pattern (undefined: the requests no route matched). */
  route(pattern: string | undefined): RouteLatency {
    const key = pattern ?? UNMATCHED;
    let route = this.routes.get(key);
    if (route === undefined) {
      route = new RouteLatency(key);
      this.routes.set(key, route);
    }
    return route;
  }

  *series(): Iterable<BucketSeries> {
    for (const { route, byMethod } of this.routes.values()) {
      for (const [method, byStatus] of byMethod) {
        for (const [status, counts] of byStatus) {
          yield { labels: { route, method, status: String(status) }, counts };
        }
      }
    }
  }
}

import { BucketCounts } from '../../shared/bucket-counts.js';
import type { BucketSeries } from './bucket-histogram.js';

/** Seconds; from a HEAD /heartbeat's fraction of a millisecond to a slow proxied call. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Requests no route matched share one series, so unknown paths cannot add series. */
const UNMATCHED = '(unmatched)';

/**
 * Request durations by route pattern (`/agents/{agent_id}`, never the raw URL: a bounded number
 * of series), method and status code. Each series is found with three map lookups on strings and
 * a number the request already holds, and observing it writes into preallocated arrays.
 */
export class RequestLatency {
  readonly bounds = LATENCY_BUCKETS;
  /** route → method → status → counts. */
  private readonly byRoute = new Map<string, Map<string, Map<number, BucketCounts>>>();

  observe(route: string | undefined, method: string, status: number, seconds: number): void {
    const routeKey = route ?? UNMATCHED;
    let byMethod = this.byRoute.get(routeKey);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.byRoute.set(routeKey, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let counts = byStatus.get(status);
    if (counts === undefined) {
      counts = new BucketCounts(LATENCY_BUCKETS);
      byStatus.set(status, counts);
    }
    counts.observe(seconds);
  }

  *series(): Iterable<BucketSeries> {
    for (const [route, byMethod] of this.byRoute) {
      for (const [method, byStatus] of byMethod) {
        for (const [status, counts] of byStatus) {
          yield { labels: { route, method, status: String(status) }, counts };
        }
      }
    }
  }
}

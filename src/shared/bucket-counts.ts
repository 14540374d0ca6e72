/**
 * A histogram's raw counts: one counter per upper bound (not cumulative), their sum and count.
 * Observing writes into arrays allocated once, so it costs a few comparisons and no garbage; a
 * metrics exporter reads the counts at scrape time.
 */
export class BucketCounts {
  /** `counts[i]` observations fell in `(bounds[i-1], bounds[i]]`; the last slot is `+Inf`. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

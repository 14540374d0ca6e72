import {
  Histogram,
  type MetricObjectWithValues,
  type MetricType,
  type MetricValueWithName,
  type Registry,
} from 'prom-client';
import type { BucketCounts } from '../../shared/bucket-counts.js';

/** One labelled series of a {@link BucketHistogram}: its labels and the counts it reads. */
export interface BucketSeries {
  labels: Record<string, string>;
  counts: BucketCounts;
}

type Values = MetricObjectWithValues<MetricValueWithName<string>>;

/**
 * A prom-client histogram whose counts are kept elsewhere, in {@link BucketCounts} that the hot
 * path fills without allocating (prom-client's own `observe` builds a label key and an object per
 * call). The exposition is prom-client's: it asks this metric for its values at scrape time.
 */
export class BucketHistogram extends Histogram<string> {
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(
    config: { name: string; help: string; labelNames?: readonly string[]; buckets: readonly number[] },
    private readonly series: () => Iterable<BucketSeries>,
    registers: Registry[],
  ) {
    super({
      ...config,
      buckets: [...config.buckets],
      labelNames: [...(config.labelNames ?? [])],
      registers,
    });
    this.metricName = config.name;
    this.metricHelp = config.help;
  }

  override async get(): Promise<Values> {
    const name = this.metricName;
    const values: MetricValueWithName<string>[] = [];
    for (const { labels, counts } of this.series()) {
      let cumulative = 0;
      counts.bounds.forEach((bound, i) => {
        cumulative += counts.counts[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: counts.count });
      values.push({ metricName: `${name}_sum`, labels, value: counts.sum });
      values.push({ metricName: `${name}_count`, labels, value: counts.count });
    }
    return {
      name,
      help: this.metricHelp,
      // prom-client declares the enum in its types only; its value is the word.
      type: 'histogram' as unknown as MetricType,
      values,
      aggregator: 'sum',
      collect: () => {},
    };
  }

  /** What prom-client's registry reads when it writes the text exposition. */
  getForPromString(): Promise<Values> {
    return this.get();
  }
}

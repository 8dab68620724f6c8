import type { MetricSeries } from '../model/signals';

/** Summary of the samples of one series between two instants (epoch ms, `from` inclusive, `to` exclusive). */
export interface WindowStats {
  count: number;
  mean: number;
  /** Robust centre: a past incident inside a baseline window moves the mean, not the median. */
  median: number;
  /**
   * The 25th percentile: the service on a quiet day. A baseline for errors and latency that an earlier
   * incident cannot raise unless it filled three quarters of the window.
   */
  quiet: number;
  max: number;
  min: number;
  last: number;
  /** Least-squares slope, units per second; 0 with fewer than two samples. */
  slopePerSecond: number;
}

export function windowStats(
  points: ReadonlyArray<readonly [number, number]>,
  from: number,
  to: number,
): WindowStats {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [t, v] of points) {
    if (t >= from && t < to && Number.isFinite(v)) {
      xs.push(t / 1000);
      ys.push(v);
    }
  }
  const count = ys.length;
  if (count === 0)
    return { count, mean: NaN, median: NaN, quiet: NaN, max: NaN, min: NaN, last: NaN, slopePerSecond: 0 };
  const mean = ys.reduce((a, b) => a + b, 0) / count;
  const meanX = xs.reduce((a, b) => a + b, 0) / count;
  let num = 0;
  let den = 0;
  for (let i = 0; i < count; i++) {
    num += (xs[i]! - meanX) * (ys[i]! - mean);
    den += (xs[i]! - meanX) ** 2;
  }
  const sorted = [...ys].sort((a, b) => a - b);
  const mid = Math.floor(count / 2);
  const median = count % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    count,
    mean,
    median,
    quiet: sorted[Math.floor((count - 1) / 4)]!,
    max: Math.max(...ys),
    min: Math.min(...ys),
    last: ys[count - 1]!,
    slopePerSecond: den === 0 ? 0 : num / den,
  };
}

/** The series of `metric` whose labels match `labels` exactly on the keys given (and have no other slice keys). */
export function findSeries(
  series: readonly MetricSeries[],
  metric: string,
  labels: MetricSeries['labels'] = {},
): MetricSeries | undefined {
  const keys = ['release', 'target', 'pool'] as const;
  return series.find(
    (s) =>
      s.metric === metric &&
      keys.every((k) => (labels[k] === undefined ? !s.labels[k] : s.labels[k] === labels[k])),
  );
}

export function seriesFor(
  series: readonly MetricSeries[],
  metric: string,
  key: 'release' | 'target' | 'pool',
): MetricSeries[] {
  return series.filter((s) => s.metric === metric && s.labels[key] !== undefined);
}

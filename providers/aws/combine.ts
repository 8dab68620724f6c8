import type { MetricSeries } from '../types';
import type { RawQuery } from './metricQueries';

/** One raw CloudWatch result: its query and its points, oldest first. */
export interface RawResult {
  raw: RawQuery;
  points: Array<[number, number]>;
}

/**
 * Turns raw CloudWatch results into Homeostat series: percent metrics pass through, latency seconds
 * become milliseconds, RequestCount sums become a rate, and 5xx / RequestCount becomes error_ratio — per
 * pool and, summed over the pools, for the whole service. A period without requests has no error ratio.
 */
export function combineSeries(
  results: readonly RawResult[],
  wanted: ReadonlySet<string>,
  period: number,
): MetricSeries[] {
  const out: MetricSeries[] = [];
  const of = (kind: RawQuery['kind']) => results.filter((r) => r.raw.kind === kind);

  for (const r of of('cpu')) out.push({ metric: 'cpu_utilization', labels: r.raw.labels, points: r.points });
  for (const r of of('memory'))
    out.push({ metric: 'memory_utilization', labels: r.raw.labels, points: r.points });
  for (const r of of('latency')) {
    out.push({
      metric: 'latency_p95_ms',
      labels: r.raw.labels,
      points: r.points.map(([t, v]) => [t, v * 1000]),
    });
  }
  for (const r of of('custom')) out.push({ metric: r.raw.name ?? r.raw.id, labels: {}, points: r.points });

  const requests = of('requests');
  const errorsByPool = new Map(of('errors').map((r) => [r.raw.labels.pool, r]));
  const totalRequests = new Map<number, number>();
  const totalErrors = new Map<number, number>();
  for (const req of requests) {
    const errors = new Map(errorsByPool.get(req.raw.labels.pool)?.points ?? []);
    for (const [t, v] of req.points) {
      totalRequests.set(t, (totalRequests.get(t) ?? 0) + v);
      totalErrors.set(t, (totalErrors.get(t) ?? 0) + (errors.get(t) ?? 0));
    }
    if (wanted.has('request_rate')) {
      out.push({
        metric: 'request_rate',
        labels: req.raw.labels,
        points: req.points.map(([t, v]) => [t, v / period]),
      });
    }
    if (wanted.has('error_ratio')) {
      out.push({ metric: 'error_ratio', labels: req.raw.labels, points: ratio(req.points, errors) });
    }
  }
  if (requests.length > 0) {
    const total = [...totalRequests.entries()].sort((a, b) => a[0] - b[0]);
    if (wanted.has('request_rate')) {
      out.push({ metric: 'request_rate', labels: {}, points: total.map(([t, v]) => [t, v / period]) });
    }
    if (wanted.has('error_ratio'))
      out.push({ metric: 'error_ratio', labels: {}, points: ratio(total, totalErrors) });
  }
  return out;
}

function ratio(
  requests: ReadonlyArray<[number, number]>,
  errors: ReadonlyMap<number, number>,
): Array<[number, number]> {
  return requests.filter(([, n]) => n > 0).map(([t, n]) => [t, Math.min(1, (errors.get(t) ?? 0) / n)]);
}

import type { PrometheusConfig, PrometheusPresetName, SliceKind } from '../../core/model/prometheusConfig';
import type { MetricSeries, SeriesQuery, SignalProvider } from '../types';
import { ProviderError } from '../types';
import { MAX_POINTS, PrometheusClient, type MatrixSeries } from './client';
import { resolveQueries, type ResolvedQueries } from './queries';
import { badQuery, renderTemplate } from './template';

/** Range queries in flight at once for one series() call: a metric × slice fan-out stays gentle. */
const CONCURRENCY = 4;

/**
 * The query step: the caller's, widened so no series exceeds Prometheus's 11,000 points per query.
 */
export function clampStep(fromMs: number, toMs: number, stepSeconds: number): number {
  const spanSeconds = Math.max(0, (toMs - fromMs) / 1000);
  const minimum = spanSeconds / (MAX_POINTS - 1);
  return Math.max(stepSeconds, Math.ceil(minimum * 1000) / 1000);
}

/** [epoch ms, value] points, oldest first; NaN and ±Inf (0/0, an empty histogram) are dropped. */
export function finitePoints(values: MatrixSeries['values']): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (const [t, raw] of values) {
    const v = Number(raw);
    if (Number.isFinite(v)) points.push([Math.round(t * 1000), v]);
  }
  return points;
}

interface Job {
  metric: string;
  slice?: SliceKind;
}

/**
 * Signals from Prometheus: each metric is a PromQL template (presets.ts, overridable per metric in
 * config) evaluated with query_range over the query's window and step, once for the service-wide
 * series and once per requested slice the metric can be split by (release, target, pool). A metric
 * the queries do not name, or Prometheus has no samples of, yields no series.
 */
export function prometheusSignals(config: PrometheusConfig, preset: PrometheusPresetName): SignalProvider {
  if (!config.url)
    throw new ProviderError(
      'Prometheus signals need HOMEOSTAT_PROMETHEUS_URL (prometheus.url)',
      'invalid_config',
      false,
    );
  const client = new PrometheusClient({
    url: config.url,
    timeoutMs: config.timeoutSeconds * 1000,
    bearerToken: config.bearerToken,
    username: config.username,
    password: config.password,
  });
  const resolved = resolveQueries(config, preset);
  return {
    series: (query) => seriesFrom(client, resolved, config.rateWindowSeconds, query),
  };
}

async function seriesFrom(
  client: PrometheusClient,
  resolved: ResolvedQueries,
  rateWindowSeconds: number,
  query: SeriesQuery,
): Promise<MetricSeries[]> {
  if (!(query.stepSeconds > 0))
    throw new ProviderError(`stepSeconds must be positive, got ${query.stepSeconds}`, 'invalid_step', false);
  const fromMs = query.from.getTime();
  const toMs = query.to.getTime();
  if (!(toMs >= fromMs))
    throw new ProviderError(
      `the window's end (${query.to.toISOString()}) is before its start`,
      'invalid_window',
      false,
    );
  const step = clampStep(fromMs, toMs, query.stepSeconds);
  // Evaluate on multiples of the step, as the fleet buckets its series, so both line up point for point.
  const startSeconds = Math.ceil(fromMs / 1000 / step) * step;
  const endSeconds = toMs / 1000;
  const windowSeconds = Math.max(rateWindowSeconds, step);

  const wanted: Array<SliceKind | undefined> = [undefined];
  if (query.byRelease) wanted.push('release');
  if (query.byTarget) wanted.push('target', 'pool');
  const jobs: Job[] = [];
  for (const metric of new Set(query.metrics)) {
    const def = resolved.queries[metric];
    if (!def) continue;
    for (const slice of wanted) if (!slice || def.slices.includes(slice)) jobs.push({ metric, slice });
  }
  if (startSeconds > endSeconds) return [];

  const run = async (job: Job): Promise<MetricSeries[]> => {
    const def = resolved.queries[job.metric]!;
    const label = job.slice ? resolved.labels[job.slice] : undefined;
    const promql = renderTemplate(job.metric, def.query, {
      service: query.service,
      serviceLabel: resolved.labels.service,
      slice: job.slice && label ? { kind: job.slice, label } : undefined,
      windowSeconds,
      stepSeconds: step,
    });
    const what = `service ${query.service}, ${job.slice ? `by ${job.slice}` : 'service-wide'}`;
    const result = await client.queryRange(promql, startSeconds, endSeconds, step, {
      metric: job.metric,
      what,
    });
    return toSeries(job, label, result, resolved.ignoreValues, def.query);
  };

  const out: MetricSeries[] = [];
  for (let i = 0; i < jobs.length; i += CONCURRENCY) {
    const batch = await Promise.all(jobs.slice(i, i + CONCURRENCY).map(run));
    for (const list of batch) out.push(...list);
  }
  return out;
}

function toSeries(
  job: Job,
  label: string | undefined,
  result: MatrixSeries[],
  ignoreValues: readonly string[],
  template: string,
): MetricSeries[] {
  if (!job.slice) {
    if (result.length > 1)
      throw badQuery(
        job.metric,
        template,
        `the service-wide query returned ${result.length} series, expected one; aggregate it (sum by ($by) (…))`,
      );
    const points = result[0] ? finitePoints(result[0].values) : [];
    return points.length > 0 ? [{ metric: job.metric, labels: {}, points }] : [];
  }
  const seen = new Set<string>();
  const out: MetricSeries[] = [];
  for (const series of result) {
    const value = label ? series.metric[label] : undefined;
    if (!value || ignoreValues.includes(value)) continue;
    if (seen.has(value))
      throw badQuery(
        job.metric,
        template,
        `two series share ${job.slice} ${value}; aggregate it by the slice label (sum by ($by) (…))`,
      );
    seen.add(value);
    const points = finitePoints(series.values);
    if (points.length > 0) out.push({ metric: job.metric, labels: { [job.slice]: value }, points });
  }
  return out;
}

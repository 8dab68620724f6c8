import type { Finding, ServiceEvidence } from '../model/diagnosis';
import type { MetricSeries, Target } from '../model/signals';
import { findSeries, windowStats, type WindowStats } from './stats';

/**
 * What every rule shares: the baseline and recent windows, a comparison of one series across them, the
 * window's tail (where "still failing" is judged) and the spike tests for errors and latency.
 */

export const ERROR_FLOOR = 0.05;
export const ERROR_FACTOR = 3;
export const LATENCY_FACTOR = 2;
export const LATENCY_FLOOR_MS = 200;
/** The last samples of the recent window: where "still failing" is judged. */
export const TAIL_POINTS = 3;
/** Metrics judged against their quiet quartile rather than their median (see WindowStats.quiet). */
const QUIET_BASELINE = new Set(['error_ratio', 'latency_p95_ms', 'timeout_ratio', 'cache_error_ratio']);

export const at = (iso: string): number => Date.parse(iso);
export const finite = (n: number, fallback = 0): number => (Number.isFinite(n) ? n : fallback);

/** Epoch ms: the baseline starts at `baselineFrom`, the recent window at `recentFrom`, both end by `now`. */
export interface Windows {
  baselineFrom: number;
  recentFrom: number;
  now: number;
}

export interface Comparison {
  metric: string;
  baseline: WindowStats;
  recent: WindowStats;
  /** The baseline is [baselineFrom, split); the recent part is [recentFrom, to]. */
  bounds: { baselineFrom: number; split: number; recentFrom: number; to: number };
}

/** The threshold a ratio of failed requests must pass: 3× its baseline (+0.02), at least 5 %. */
export const errorThreshold = (baseline: number): number =>
  Math.max(ERROR_FLOOR, finite(baseline) * ERROR_FACTOR + 0.02);

export function errorSpike(baseline: number, recent: number): boolean {
  return Number.isFinite(recent) && recent > errorThreshold(baseline);
}

/** Twice the baseline and 200 ms more than it; NaN without a baseline (no spike can be judged). */
export const latencyThreshold = (baseline: number): number =>
  Number.isFinite(baseline) ? Math.max(baseline * LATENCY_FACTOR, baseline + LATENCY_FLOOR_MS) : NaN;

export function latencySpike(baseline: number, recent: number): boolean {
  return Number.isFinite(recent) && recent > latencyThreshold(baseline);
}

/** The value a metric usually has: the quiet quartile for failures and latency, the median otherwise. */
export function usual(cmp: Comparison): number {
  return QUIET_BASELINE.has(cmp.metric) ? cmp.baseline.quiet : cmp.baseline.median;
}

export const usualKind = (metric: string): string =>
  QUIET_BASELINE.has(metric) ? 'quiet quartile' : 'median';

/** Baseline = [baselineFrom, split), recent = [max(split, recentFrom), now]. */
export function compare(
  metric: string,
  series: MetricSeries | undefined,
  w: Windows,
  split = w.recentFrom,
): Comparison {
  const points = series?.points ?? [];
  const recentFrom = Math.max(split, w.recentFrom);
  return {
    metric,
    baseline: windowStats(points, w.baselineFrom, split),
    recent: windowStats(points, recentFrom, w.now + 1),
    bounds: { baselineFrom: w.baselineFrom, split, recentFrom, to: w.now },
  };
}

/** The service-wide series of `metric` (or the slice `labels` names), compared across the windows. */
export function compareMetric(
  s: ServiceEvidence,
  metric: string,
  w: Windows,
  labels: MetricSeries['labels'] = {},
  split = w.recentFrom,
): Comparison {
  return compare(metric, findSeries(s.series, metric, labels), w, split);
}

/** The recent window's last TAIL_POINTS samples, against the same baseline. */
export function tailOf(cmp: Comparison, series: MetricSeries | undefined): Comparison {
  const { recentFrom, to } = cmp.bounds;
  const inRecent = (series?.points ?? []).filter(([t]) => t >= recentFrom && t <= to);
  const from = inRecent.at(-TAIL_POINTS)?.[0] ?? recentFrom;
  return {
    ...cmp,
    recent: windowStats(series?.points ?? [], from, to + 1),
    bounds: { ...cmp.bounds, recentFrom: from },
  };
}

/** A comparison and its tail: `holds` when the test passes over the recent window and in its tail. */
export interface Judged {
  cmp: Comparison;
  tail: Comparison;
  /** Over the recent window as a whole. */
  spiked: boolean;
  /** Over the recent window and still in its last samples. */
  holds: boolean;
}

export function judge(
  s: ServiceEvidence,
  metric: string,
  w: Windows,
  test: (usual: number, recent: number) => boolean,
  labels: MetricSeries['labels'] = {},
  split = w.recentFrom,
): Judged {
  const series = findSeries(s.series, metric, labels);
  const cmp = compare(metric, series, w, split);
  const tail = tailOf(cmp, series);
  const spiked = test(usual(cmp), cmp.recent.mean);
  return { cmp, tail, spiked, holds: spiked && test(usual(tail), tail.recent.mean) };
}

export function finding(scope: string, cmp: Comparison, note: string): Finding {
  const round = (n: number): number => Math.round(finite(n) * 1000) / 1000;
  return { metric: cmp.metric, scope, baseline: round(usual(cmp)), recent: round(cmp.recent.mean), note };
}

/**
 * Unhealthy targets that take traffic. A target in a pool weighted to 0 (a cell already drained) is
 * not why the service hurts now; restarting or rerouting for it would be acting on old news.
 */
export function downServing(s: ServiceEvidence): Target[] {
  const weights = s.topology.weights;
  return s.topology.targets.filter((t) => !t.healthy && !(t.pool && weights[t.pool] === 0));
}

import { finite, usual, usualKind, type Comparison } from './windows';

/**
 * Evidence in plain words: which signal, where, its recent value, its baseline value and what that
 * baseline is, e.g. "error_ratio of checkout release v2: 0.48 over the last 10 s, against 0.01 usually
 * (quiet quartile of the 120 s before)". Operators read these in the incident's state and notifications.
 */

const RATIOS = new Set(['error_ratio', 'timeout_ratio', 'cache_error_ratio', 'saturation']);

/** A value in the unit of its metric, rounded to what a person reads. */
export function formatValue(metric: string, v: number): string {
  if (!Number.isFinite(v)) return 'no value';
  if (RATIOS.has(metric)) return v !== 0 && Math.abs(v) < 0.01 ? v.toFixed(3) : v.toFixed(2);
  if (metric.endsWith('_ms')) return `${Math.round(v)} ms`;
  if (metric.endsWith('_mb')) return `${v.toFixed(1)} MB`;
  if (metric === 'request_rate') return `${v.toFixed(1)} req/s`;
  return String(Math.round(v * 10) / 10);
}

const seconds = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))} s`;

/** "quiet quartile of the 120 s before" / "median of the 90 s before the deploy". */
function basis(cmp: Comparison, before: string): string {
  return `${usualKind(cmp.metric)} of the ${seconds(cmp.bounds.split - cmp.bounds.baselineFrom)} ${before}`;
}

export interface SentenceOptions {
  /** What the baseline precedes: "before" (the recent window) unless e.g. "before the deploy". */
  before?: string;
  /** Also say the value in the window's last samples (the fault still holds). */
  tail?: Comparison;
  /** Which statistic of the recent window: its mean unless told (e.g. the peak of a burst). */
  recent?: 'mean' | 'max' | 'last';
}

export function sentence(scope: string, cmp: Comparison, opts: SentenceOptions = {}): string {
  const stat = opts.recent ?? 'mean';
  const label = stat === 'mean' ? 'over' : stat === 'max' ? 'at its peak in' : 'at the end of';
  const recent = `${formatValue(cmp.metric, cmp.recent[stat])} ${label} the last ${seconds(
    cmp.bounds.to - cmp.bounds.recentFrom,
  )}`;
  const tail = opts.tail
    ? `, ${formatValue(cmp.metric, opts.tail.recent.mean)} in the last ${seconds(
        opts.tail.bounds.to - opts.tail.bounds.recentFrom + 1000,
      )}`
    : '';
  const base = Number.isFinite(usual(cmp))
    ? `against ${formatValue(cmp.metric, usual(cmp))} usually (${basis(cmp, opts.before ?? 'before')})`
    : `with no baseline (no samples in the ${seconds(cmp.bounds.split - cmp.bounds.baselineFrom)} ${
        opts.before ?? 'before'
      })`;
  return `${cmp.metric} of ${scope}: ${recent}${tail}, ${base}`;
}

/** A share, as people say it: "93 %". */
export const percent = (share: number): string => `${Math.round(finite(share) * 100)} %`;

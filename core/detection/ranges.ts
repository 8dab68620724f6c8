/**
 * Time ranges in which the detector was firing for a service. A baseline leaves them out, so an ongoing
 * (or recent) incident is never learned as normal.
 */
export interface TimeRange {
  from: number;
  /** Absent while the range is still open. */
  to?: number;
}

export function inRanges(t: number, ranges: readonly TimeRange[]): boolean {
  return ranges.some((r) => t >= r.from && (r.to === undefined || t <= r.to));
}

export function withoutRanges<P extends readonly [number, number]>(
  points: readonly P[],
  ranges: readonly TimeRange[],
): P[] {
  return ranges.length === 0 ? [...points] : points.filter(([t]) => !inRanges(t, ranges));
}

/** Drops closed ranges that ended before `olderThan` (out of every window) and keeps at most `max`, newest. */
export function pruneRanges(ranges: readonly TimeRange[], olderThan: number, max = 20): TimeRange[] {
  return ranges.filter((r) => r.to === undefined || r.to >= olderThan).slice(-max);
}

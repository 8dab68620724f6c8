/**
 * Robust statistics for baselines: the median and the median absolute deviation (MAD) are not dragged
 * by the outliers they are meant to find, unlike the mean and the standard deviation.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[], center = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

export interface Baseline {
  median: number;
  mad: number;
  /** The MAD actually divided by: never below the floor, so a flat series (MAD 0) does not flag noise. */
  scale: number;
  /** Samples it was learned from. */
  n: number;
}

/** What a signal's MAD may not fall below: an absolute amount, or a share of its median. */
export interface MadFloor {
  absolute: number;
  relative: number;
}

export function learnBaseline(values: readonly number[], floor: MadFloor): Baseline {
  const m = median(values);
  const d = mad(values, m);
  return {
    median: m,
    mad: d,
    scale: Math.max(d, floor.absolute, floor.relative * Math.abs(m)),
    n: values.length,
  };
}

/** Iglewicz–Hoaglin modified z-score: 0.6745·(x − median)/MAD (0.6745 makes it comparable to a z-score). */
export function modifiedZ(x: number, center: number, scale: number): number {
  return (0.6745 * (x - center)) / scale;
}

/** Exponentially weighted moving average with α = 2/(span+1); NaN for an empty series. */
export function ewma(values: readonly number[], span: number): number {
  if (values.length === 0) return NaN;
  const alpha = 2 / (span + 1);
  let level = values[0]!;
  for (const v of values.slice(1)) level = alpha * v + (1 - alpha) * level;
  return level;
}

/** Least-squares slope of (time ms, value) points, per second; 0 with fewer than two distinct times. */
export function slopePerSecond(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, [t]) => a + t, 0) / n;
  const mv = points.reduce((a, [, v]) => a + v, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of points) {
    num += (t - mt) * (v - mv);
    den += (t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 1000;
}

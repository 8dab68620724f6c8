/**
 * Seasonality: what the signal read one period ago (Prometheus users write `offset 1d`). A slow cycle
 * then moves the reference with it instead of looking like an anomaly at its peak.
 */

import { median } from './robust';

/**
 * The median of the samples within ±halfWidthSeconds of (now − period); undefined when the history does
 * not reach that far back (or seasonality is off: period 0).
 */
export function seasonalReference(
  points: ReadonlyArray<readonly [number, number]>,
  now: number,
  periodSeconds: number,
  halfWidthSeconds: number,
): number | undefined {
  if (periodSeconds <= 0) return undefined;
  const at = now - periodSeconds * 1000;
  const around = points.filter(([t]) => Math.abs(t - at) <= halfWidthSeconds * 1000).map(([, v]) => v);
  return around.length > 0 ? median(around) : undefined;
}

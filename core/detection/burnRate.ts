import type { BurnWindow } from '../model/detectorConfig';

/**
 * SLO burn rates (Google SRE Workbook, "Alerting on SLOs"): how many times faster than sustainable the
 * error budget is spent. A pair of windows fires only while both the long and the short window burn above
 * the factor: the long one proves it matters, the short one that it is still happening (so the alert
 * stops soon after the burn does).
 */

/** Burn rate = observed error ratio / error budget (1 − objective). */
export function burnRate(errorRatio: number, objective: number): number {
  if (!(objective > 0 && objective < 1))
    throw new Error(`objective must be between 0 and 1, got ${objective}`);
  return errorRatio / (1 - objective);
}

/** Mean of the values with a time in (now − seconds, now]; NaN when there is none. */
export function meanOver(
  points: ReadonlyArray<readonly [number, number]>,
  now: number,
  seconds: number,
): number {
  const inside = points.filter(([t]) => t > now - seconds * 1000 && t <= now).map(([, v]) => v);
  return inside.length ? inside.reduce((a, b) => a + b, 0) / inside.length : NaN;
}

export interface BurnReading {
  window: BurnWindow;
  longRate: number;
  shortRate: number;
  firing: boolean;
}

/** Each pair's burn rates over an error-ratio series; a window without samples never fires. */
export function burnReadings(
  errorRatio: ReadonlyArray<readonly [number, number]>,
  now: number,
  objective: number,
  windows: readonly BurnWindow[],
): BurnReading[] {
  return windows.map((window) => {
    const longRate = burnRate(meanOver(errorRatio, now, window.longSeconds), objective);
    const shortRate = burnRate(meanOver(errorRatio, now, window.shortSeconds), objective);
    return { window, longRate, shortRate, firing: longRate >= window.factor && shortRate >= window.factor };
  });
}

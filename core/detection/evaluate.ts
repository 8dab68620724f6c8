import type { DetectorConfig } from '../model/detectorConfig';
import type { MetricSeries } from '../model/signals';
import { burnReadings } from './burnRate';
import { withoutRanges, type TimeRange } from './ranges';
import { learnBaseline, median, modifiedZ, slopePerSecond, ewma } from './robust';
import { seasonalReference } from './seasonal';
import { BURN_SIGNAL, SIGNALS, type SignalSpec } from './signals';

/**
 * One evaluation of one service: every known signal's recent value against its baseline. Pure: the
 * activity reads the series and the workflow keeps the state; this only judges.
 */

export type DetectorSettings = Pick<
  DetectorConfig,
  | 'recentSeconds'
  | 'baselineSeconds'
  | 'minBaselinePoints'
  | 'sensitivity'
  | 'seasonalPeriodSeconds'
  | 'burnWindows'
>;

export interface SignalVerdict {
  /** `metric`, `metric@target` for a per-target signal, or `slo_burn`. */
  key: string;
  metric: string;
  target?: string;
  /** Median of the recent window. */
  value: number;
  /** Smoothed level of the recent window (EWMA). */
  level: number;
  baseline?: { median: number; mad: number; scale: number; n: number };
  /** The value one period ago, when seasonality is on and the history reaches it. */
  seasonal?: number;
  z?: number;
  slopePerSecond?: number;
  /** `learning`: too little history outside firing ranges to judge. */
  state: 'learning' | 'normal' | 'anomalous';
  impact: SignalSpec['impact'];
  /** Plain words: what was compared with what. */
  reason: string;
}

export interface ServiceVerdict {
  service: string;
  signals: SignalVerdict[];
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

export function judgeSignal(
  spec: SignalSpec,
  points: ReadonlyArray<readonly [number, number]>,
  now: number,
  settings: DetectorSettings,
  exclusions: readonly TimeRange[],
  target?: string,
): SignalVerdict | undefined {
  const recentFrom = now - settings.recentSeconds * 1000;
  const recent = points.filter(([t]) => t > recentFrom && t <= now);
  if (recent.length === 0) return undefined; // no data now: nothing to judge (a gap is not an anomaly)
  const key = target ? `${spec.metric}@${target}` : spec.metric;
  const value = median(recent.map(([, v]) => v));
  const base = {
    key,
    metric: spec.metric,
    ...(target ? { target } : {}),
    value: round(value),
    level: round(
      ewma(
        recent.map(([, v]) => v),
        recent.length,
      ),
    ),
    impact: spec.impact,
  };
  const history = withoutRanges(
    points.filter(([t]) => t <= recentFrom && t > now - settings.baselineSeconds * 1000),
    exclusions,
  );
  if (history.length < settings.minBaselinePoints) {
    return {
      ...base,
      state: 'learning',
      reason: `${history.length} baseline samples, need ${settings.minBaselinePoints}`,
    };
  }
  const baseline = learnBaseline(
    history.map(([, v]) => v),
    spec.floor,
  );
  const seasonal = seasonalReference(
    withoutRanges(points, exclusions),
    now,
    settings.seasonalPeriodSeconds,
    settings.recentSeconds,
  );
  const center = seasonal ?? baseline.median;
  const z = modifiedZ(value, center, baseline.scale);
  const slope = spec.minSlopePerSecond !== undefined ? slopePerSecond(recent) : undefined;
  const high = z > settings.sensitivity;
  const growing = spec.minSlopePerSecond === undefined || (slope ?? 0) >= spec.minSlopePerSecond;
  const nearCapacity = spec.minValue === undefined || value >= spec.minValue;
  const anomalous = high && growing && nearCapacity;
  const against =
    seasonal !== undefined
      ? `${round(seasonal)} one period ago`
      : `baseline median ${round(baseline.median)}`;
  return {
    ...base,
    baseline: {
      median: round(baseline.median),
      mad: round(baseline.mad),
      scale: round(baseline.scale),
      n: baseline.n,
    },
    ...(seasonal !== undefined ? { seasonal: round(seasonal) } : {}),
    z: round(z),
    ...(slope !== undefined ? { slopePerSecond: round(slope) } : {}),
    state: anomalous ? 'anomalous' : 'normal',
    reason:
      `${key} ${round(value)} against ${against} (MAD ${round(baseline.mad)}, z ${round(z)}` +
      `${slope !== undefined ? `, ${round(slope)}/s` : ''})` +
      (high && !growing
        ? ': high but not growing'
        : high && !nearCapacity
          ? ': high but not near capacity'
          : ''),
  };
}

/** The SLO burn as a signal: anomalous while any pair of windows burns above its factor. */
export function judgeBurn(
  errorRatio: ReadonlyArray<readonly [number, number]>,
  now: number,
  objective: number,
  settings: DetectorSettings,
): SignalVerdict | undefined {
  if (errorRatio.length === 0) return undefined;
  const readings = burnReadings(errorRatio, now, objective, settings.burnWindows);
  const firing = readings.find((r) => r.firing);
  const shown = firing ?? readings[0]!;
  const value = Number.isFinite(shown.shortRate) ? round(shown.shortRate) : 0;
  return {
    key: BURN_SIGNAL,
    metric: 'error_ratio',
    value,
    level: Number.isFinite(shown.longRate) ? round(shown.longRate) : 0,
    state: firing ? 'anomalous' : 'normal',
    impact: 'user',
    reason: readings
      .map(
        (r) =>
          `burn ${round(r.longRate)}× over ${r.window.longSeconds} s and ${round(r.shortRate)}× over ` +
          `${r.window.shortSeconds} s against ${r.window.factor}× (SLO ${objective})`,
      )
      .join('; '),
  };
}

/** Every signal of one service that has data; unknown or missing series are skipped. */
export function judgeService(
  service: string,
  series: readonly MetricSeries[],
  now: number,
  settings: DetectorSettings,
  exclusions: readonly TimeRange[],
  objective?: number,
): ServiceVerdict {
  const signals: SignalVerdict[] = [];
  for (const spec of SIGNALS) {
    const matching = series.filter(
      (s) =>
        s.metric === spec.metric &&
        (spec.perTarget ? s.labels.target !== undefined : Object.keys(s.labels).length === 0),
    );
    for (const s of matching) {
      const verdict = judgeSignal(
        spec,
        s.points,
        now,
        settings,
        exclusions,
        spec.perTarget ? s.labels.target : undefined,
      );
      if (verdict) signals.push(verdict);
    }
  }
  if (objective !== undefined) {
    const errors = series.find((s) => s.metric === 'error_ratio' && Object.keys(s.labels).length === 0);
    const burn = judgeBurn(errors?.points ?? [], now, objective, settings);
    if (burn) signals.push(burn);
  }
  return { service, signals };
}

/** Anomalous signals that show (or surely foretell) harm to users: only these can open an incident. */
export const harmful = (v: SignalVerdict): boolean => v.state === 'anomalous' && v.impact !== 'context';

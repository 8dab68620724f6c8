import type { MadFloor } from './robust';

/**
 * The signals the detector judges, and what an anomaly of each means. "Not every anomaly is an
 * incident": only a signal that shows users are hurt now (`user`) or surely soon (`imminent`: a queue
 * that keeps growing, dead letters, memory climbing to its limit, saturation, serving targets down)
 * can open one. `context` signals (request rate, event-loop lag) are reported but never alert alone: a
 * traffic spike the fleet absorbs is not an incident.
 */
export interface SignalSpec {
  metric: string;
  impact: 'user' | 'imminent' | 'context';
  /** What the MAD may not fall below (a flat healthy series must not turn noise into anomalies). */
  floor: MadFloor;
  /** Judged per target (a leak shows in one replica) rather than on the whole-service series. */
  perTarget?: boolean;
  /** Also rising over the recent window by at least this much per second (growth, not a plateau). */
  minSlopePerSecond?: number;
  /** Also at least this high (saturation matters near capacity, not at 30 % busy). */
  minValue?: number;
  /** The alert's name when this signal fires. */
  alertName: string;
}

const ratio: MadFloor = { absolute: 0.01, relative: 0.1 };

export const SIGNALS: readonly SignalSpec[] = [
  { metric: 'error_ratio', impact: 'user', floor: ratio, alertName: 'ErrorRatioAnomaly' },
  { metric: 'timeout_ratio', impact: 'user', floor: ratio, alertName: 'TimeoutAnomaly' },
  { metric: 'cache_error_ratio', impact: 'user', floor: ratio, alertName: 'CacheErrorAnomaly' },
  {
    metric: 'latency_p95_ms',
    impact: 'user',
    floor: { absolute: 10, relative: 0.1 },
    alertName: 'LatencyAnomaly',
  },
  {
    metric: 'queue_depth',
    impact: 'imminent',
    floor: { absolute: 5, relative: 0.1 },
    minSlopePerSecond: 0.5,
    alertName: 'QueueGrowing',
  },
  {
    metric: 'dead_letters',
    impact: 'imminent',
    floor: { absolute: 0.2, relative: 0.05 },
    alertName: 'DeadLetters',
  },
  {
    metric: 'memory_rss_mb',
    impact: 'imminent',
    floor: { absolute: 2, relative: 0.05 },
    perTarget: true,
    minSlopePerSecond: 0.5,
    alertName: 'MemoryClimbing',
  },
  {
    // Serving targets failing their health checks: capacity lost now, and the rest take its load. A
    // rollout's restarts last a second or two each, too short to move the recent median.
    metric: 'unhealthy_targets',
    impact: 'imminent',
    floor: { absolute: 0.1, relative: 0.1 },
    minValue: 1,
    alertName: 'TargetsDown',
  },
  {
    metric: 'saturation',
    impact: 'imminent',
    floor: { absolute: 0.02, relative: 0.1 },
    minValue: 0.8,
    alertName: 'Saturation',
  },
  {
    metric: 'event_loop_lag_ms',
    impact: 'context',
    floor: { absolute: 5, relative: 0.1 },
    alertName: 'EventLoopLag',
  },
  {
    metric: 'request_rate',
    impact: 'context',
    floor: { absolute: 1, relative: 0.1 },
    alertName: 'TrafficChange',
  },
];

/** The alert name of an SLO burn (any pair of windows), on the service's error ratio. */
export const BURN_SIGNAL = 'slo_burn';
export const BURN_ALERT_NAME = 'ErrorBudgetBurn';

export const DETECTOR_METRICS: readonly string[] = SIGNALS.map((s) => s.metric);

export function alertNameOf(signalKey: string): string {
  if (signalKey === BURN_SIGNAL) return BURN_ALERT_NAME;
  const metric = signalKey.split('@')[0];
  return SIGNALS.find((s) => s.metric === metric)?.alertName ?? 'Anomaly';
}

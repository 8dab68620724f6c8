/**
 * What providers report about the world: topology, metric series, deployments, action outcomes.
 * Plain data (it travels through Temporal histories); the interfaces that produce it are in providers/types.ts.
 */

export interface Target {
  id: string;
  release: string;
  healthy: boolean;
  pool?: string;
}

export interface Topology {
  service: string;
  targets: Target[];
  /** Current traffic weights by pool (empty where the platform has no pools for this service). */
  weights: Record<string, number>;
  /** Desired replica count (the local fleet) or task count (ECS). */
  desiredCount: number;
  /** Services this one calls, for dependency-graph root cause. */
  dependencies: string[];
  /**
   * The longest the platform's health checks take to mark a target that stopped answering as unhealthy
   * (interval × failures needed + the check's timeout). Until a fault is older than this, a hung replica
   * still reads as healthy; unknown (undefined) where the platform does not say.
   */
  healthCheckSeconds?: number;
}

export const METRIC_NAMES = [
  'request_rate', // requests per second
  'error_ratio', // failed / all requests, 0..1
  'latency_p95_ms',
  'memory_rss_mb',
  'event_loop_lag_ms',
  'queue_depth',
  'dead_letters',
  'healthy_targets',
  'unhealthy_targets', // serving targets that fail their health check (an ALB's UnHealthyHostCount)
  'saturation', // busy request slots / capacity, 0..1 (per target; the service-wide series is the worst target)
  'timeout_ratio', // requests that ended at a client or proxy timeout / all requests, 0..1
  'cache_error_ratio', // requests that failed on a corrupt cache entry / all requests, 0..1
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricSeries {
  metric: MetricName | string;
  /** Which slice this series is: by release, by target or by pool, or the whole service when empty. */
  labels: { release?: string; target?: string; pool?: string };
  /** [epoch milliseconds, value], oldest first. */
  points: Array<[number, number]>;
}

export interface SeriesQuery {
  service: string;
  metrics: readonly string[];
  from: Date;
  to: Date;
  stepSeconds: number;
  /** Also return per-release series where the platform can (bad-release detection compares releases). */
  byRelease?: boolean;
  /** Also return per-target series where the platform can (a leak or a hang shows in one target first). */
  byTarget?: boolean;
}

export interface Deployment {
  id: string;
  service: string;
  release: string;
  previousRelease?: string;
  /** ISO time the deployment started. */
  at: string;
  /** Targets it changed; all of the service's when absent. */
  targets?: string[];
  /** Who or what deployed it (a person, CI, or `homeostat:<actionId>` for our own actions). */
  by?: string;
}

/** What a completed action changed, in the terms its compensation needs to undo it. */
export interface ActionOutcome {
  actionId: string;
  /** False when the action had already been applied (ledger hit, or the world was already in that state). */
  applied: boolean;
  summary: string;
  before: { release?: Record<string, string>; weights?: Record<string, number>; desiredCount?: number };
  after: { release?: Record<string, string>; weights?: Record<string, number>; desiredCount?: number };
}

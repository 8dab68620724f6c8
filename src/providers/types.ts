/**
 * The small interfaces every target platform implements (local fleet, AWS; Kubernetes later).
 * Activities talk only to these; nothing outside providers/ knows which platform is behind them.
 *
 * Vocabulary:
 * - service: a Homeostat service name (`checkout`).
 * - target: the unit a staged remediation acts on — a replica of the local fleet, an ECS service (cell).
 *   Stage 1 acts on a canary subset of targets, stage 2 on the rest.
 * - pool: a traffic destination whose weight can shift (local fleet pools, ALB target groups).
 * - release: the version a target runs (local fleet release name, ECS task definition ARN).
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
}

export interface SignalProvider {
  series(query: SeriesQuery): Promise<MetricSeries[]>;
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

export interface DeployHistoryProvider {
  deployments(service: string, since: Date): Promise<Deployment[]>;
}

export interface ActionRequest {
  /** Idempotency key: the same id applied twice changes the world once and returns the first result. */
  actionId: string;
  service: string;
  /** Called while the action waits for the change to take effect; activities heartbeat from it. */
  onProgress?: (detail: string) => void;
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

export interface RemediationProvider {
  describe(service: string): Promise<Topology>;
  /** Runs `release` on the given targets (all when absent): rollback, and its compensation. */
  setRelease(req: ActionRequest & { release: string; targets?: string[] }): Promise<ActionOutcome>;
  /** Rolling restart of the given targets (all when absent). */
  restart(req: ActionRequest & { targets?: string[] }): Promise<ActionOutcome>;
  setWeights(req: ActionRequest & { weights: Record<string, number> }): Promise<ActionOutcome>;
  scale(req: ActionRequest & { desiredCount: number }): Promise<ActionOutcome>;
  clearCache(req: ActionRequest & { targets?: string[] }): Promise<ActionOutcome>;
  replayDeadLetters(req: ActionRequest & { max?: number }): Promise<ActionOutcome>;
}

export interface Providers {
  signals: SignalProvider;
  deploys: DeployHistoryProvider;
  remediation: RemediationProvider;
}

/**
 * A failure a provider reports. `retryable: false` means retrying cannot help (validation, access denied,
 * unknown service): the activity turns it into a non-retryable failure with this message.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

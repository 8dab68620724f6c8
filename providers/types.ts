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

import type { ActionOutcome, Deployment, MetricSeries, SeriesQuery, Topology } from '../core/model/signals';

// The data types live in model/ (workflows and diagnosis use them too); re-exported for providers.
export type {
  ActionOutcome,
  Deployment,
  MetricSeries,
  SeriesQuery,
  Target,
  Topology,
} from '../core/model/signals';
export { METRIC_NAMES, type MetricName } from '../core/model/signals';

export interface SignalProvider {
  series(query: SeriesQuery): Promise<MetricSeries[]>;
}

export interface DeployHistoryProvider {
  deployments(service: string, since: Date): Promise<Deployment[]>;
}

export interface ActionRequest {
  /** Idempotency key: the same id applied twice changes the world once and returns the first result. */
  actionId: string;
  service: string;
  /** Called while the action waits for the change to take effect; activities heartbeat with the latest. */
  onProgress?: (detail: string) => void;
  /**
   * Aborts the call: the provider stops waiting and ends with the signal's reason (see abort.ts). A
   * change already sent is not undone; the ledger lets the same actionId learn how it ended.
   */
  signal?: AbortSignal;
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
  /**
   * The longest one remediation call may legitimately take: the provider's own wait limit plus the calls
   * around it. The worker derives the action activities' start-to-close timeout from it, so an action is
   * never cut off by Temporal while the provider still considers it in time.
   */
  maxActionSeconds: number;
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

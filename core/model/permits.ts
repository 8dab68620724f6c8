/**
 * Permits: before every remediation step an incident asks the governor whether it may act. The governor
 * answers from shared state that no single incident can see: how many actions ran in the last hour
 * (rate limits), how many services are being remediated at once (blast radius), and how recent
 * remediations of the same service ended (circuit breaker).
 */
import { DEFAULT_FLAPPING_LIMITS } from './flapping';

/** Limits from configuration, sent with each request so a config change applies at the next step. */
export interface SafetyLimits {
  /** Actions on one service in any rolling hour. */
  maxActionsPerServicePerHour: number;
  /** Actions on all services in any rolling hour. */
  maxActionsPerHour: number;
  /** Services under automated remediation at the same time (the blast radius of a bad rule). */
  maxConcurrentServices: number;
  /** This many failed remediations of one service inside the breaker window open its breaker. */
  breakerFailures: number;
  breakerWindowSeconds: number;
  /** An incident held by the limits this long hands over to a human. */
  maxHoldSeconds: number;
  /**
   * Flapping protection (model/flapping.ts): the window, the back-off base and cap, and the returns
   * backed off before a human decides. Optional: policies recorded before it lack them.
   */
  flappingWindowSeconds?: number;
  flappingBaseSeconds?: number;
  flappingCapSeconds?: number;
  flappingMaxBackoffs?: number;
}

export const DEFAULT_SAFETY_LIMITS: Required<SafetyLimits> = {
  maxActionsPerServicePerHour: 6,
  maxActionsPerHour: 30,
  maxConcurrentServices: 2,
  breakerFailures: 2,
  breakerWindowSeconds: 3600,
  maxHoldSeconds: 1800,
  flappingWindowSeconds: DEFAULT_FLAPPING_LIMITS.windowSeconds,
  flappingBaseSeconds: DEFAULT_FLAPPING_LIMITS.baseSeconds,
  flappingCapSeconds: DEFAULT_FLAPPING_LIMITS.capSeconds,
  flappingMaxBackoffs: DEFAULT_FLAPPING_LIMITS.maxBackoffs,
};

export interface PermitRequest {
  /** The step's action id: asking twice for one step gets the first answer and counts once. */
  permitId: string;
  incidentId: string;
  service: string;
  stepId: string;
  /** The approver of the incident's plan, if any: a human's approval overrides an open breaker. */
  approvedBy?: string;
  limits: SafetyLimits;
}

export type PermitDecision =
  | { verdict: 'granted'; detail: string }
  /** Rate limit or blast radius: ask again after `retryAfterSeconds`. */
  | { verdict: 'wait'; reason: string; retryAfterSeconds: number }
  /** The service's breaker is open: only a human's approval lets the incident act. */
  | { verdict: 'needs-approval'; reason: string };

/** How an incident that held permits ended, as far as the breaker cares. */
export type RemediationResult = 'recovered' | 'failed' | 'neutral';

export interface PermitRelease {
  incidentId: string;
  /** The services the incident acted on. */
  services: string[];
  result: RemediationResult;
  conclusion: string;
  limits: SafetyLimits;
  /** The failure it handled (flapping protection remembers recoveries by both); absent in older runs. */
  rootService?: string;
  failureClass?: string;
}

export interface GrantedAction {
  permitId: string;
  incidentId: string;
  service: string;
  at: string;
  /** Who approved past an open breaker, for the audit. */
  approvedBy?: string;
}

/** A service being remediated by an incident; released when the incident ends. */
export interface Lease {
  service: string;
  since: string;
  lastGrantAt: string;
}

export interface Breaker {
  /** Times of failed remediations inside the window, oldest first. */
  failures: string[];
  /** The last conclusions, for the operator who must decide whether to trust automation again. */
  lastConclusion?: string;
}

export interface PermitState {
  actions: GrantedAction[];
  leases: Record<string, Lease>;
  breakers: Record<string, Breaker>;
  /** Incidents whose release was applied (bounded): a retried release counts its failure once. */
  released: string[];
}

export const emptyPermitState = (): PermitState => ({ actions: [], leases: {}, breakers: {}, released: [] });

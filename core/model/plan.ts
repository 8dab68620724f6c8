import type { FailureClass } from './incidentState';

/** A check that a step worked: a metric over a window, after a bake time, within a bound. */
export interface VerifyCheck {
  metric: string;
  /** Healthy when every sample in the window is at most `max` / at least `min` (absolute, resolved at plan time). */
  max?: number;
  min?: number;
  /** Wait this long after the action before judging (skippable by an approver's fast path). */
  bakeSeconds: number;
  /** How much recent data to judge. */
  windowSeconds: number;
  /** `targets`: only the step's targets' series (falls back to the service's); `service`: the whole service. */
  scope: 'targets' | 'service';
}

/** What a health check judges: one check over a service's (or its targets') series since an instant. */
export interface CheckRequest {
  service: string;
  check: VerifyCheck;
  targets?: string[];
  /** Releases the targets now run: per-release series stand in where the platform has no per-target ones. */
  releases?: string[];
  /** Pools the targets serve: per-pool series stand in where there are neither (ALB target groups per cell). */
  pools?: string[];
  /** Only samples after this instant count (the action's completion): the old state must not pass for the new. */
  since: string;
  fastPath: boolean;
}

/** A concrete change, with everything resolved: which release, which targets, which weights. */
export type ActionSpec =
  | { kind: 'set-release'; service: string; release: string; targets?: string[] }
  | { kind: 'restart'; service: string; targets?: string[] }
  | { kind: 'set-weights'; service: string; weights: Record<string, number> }
  | { kind: 'scale'; service: string; desiredCount: number }
  | { kind: 'clear-cache'; service: string; targets?: string[] }
  | { kind: 'replay-dead-letters'; service: string; max?: number };

/** How a completed step is undone: derived from what the action reported it changed. */
export type CompensationKind = 'restore-release' | 'restore-weights' | 'restore-count' | 'none';

export interface PlannedStep {
  id: string;
  description: string;
  action: ActionSpec;
  verify: VerifyCheck;
  compensation: CompensationKind;
  /** Undo the step (its compensation) once the incident recovered and this metric settled. */
  restoreAfter?: RestoreAfter;
}

/** When a step is undone after recovery: `metric` at most `max` over `settleSeconds`, waited for up to `maxWaitSeconds`. */
export interface RestoreAfter {
  metric: string;
  max: number;
  settleSeconds: number;
  maxWaitSeconds: number;
}

export interface PlannedStage {
  name: string;
  steps: PlannedStep[];
}

/** The resolved plan: recorded in the workflow's history, so a catalog edit never changes a running incident. */
export interface ResolvedPlan {
  playbook: string;
  failureClass: FailureClass;
  requiresApproval: boolean;
  /** Why approval is or is not required, for the people asked. */
  approvalReason: string;
  stages: PlannedStage[];
  /** Releases per target when the plan was made; a change not made by us means the world moved. */
  expectedReleases: Record<string, string>;
  /** Final check of the whole service after the last stage. */
  recovery: VerifyCheck;
  /** How this playbook did on this service lately (absent where Temporal could not be asked). */
  trackRecord?: TrackRecord;
}

/** Closed incidents of one service that ran one playbook: recovered, or escalated after it ran. */
export interface TrackRecord {
  service: string;
  playbook: string;
  recovered: number;
  failed: number;
  days: number;
}

/** What planning says when no playbook fits. */
export interface NoPlan {
  playbook: null;
  reason: string;
}

/** "recovered checkout 2 of 3 runs in 30 days", for people. */
export function describeTrackRecord(r: TrackRecord): string {
  const runs = r.recovered + r.failed;
  return runs === 0
    ? `no runs on ${r.service} in ${r.days} days`
    : `recovered ${r.service} ${r.recovered} of ${runs} runs in ${r.days} days`;
}

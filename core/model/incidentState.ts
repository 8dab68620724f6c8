import type { Severity } from './alert';
import type { Diagnosis } from './diagnosis';
import type { IncidentInput } from './incident';
import type { ActionSpec, CompensationKind, ResolvedPlan } from './plan';
import type { ActionOutcome } from './signals';
import type { SafetyLimits } from './permits';
import type { LearningSettings } from './learning';

export const PHASES = [
  'triage',
  'gathering',
  'diagnosing',
  'planning',
  'awaiting-approval',
  'paused',
  /** Waiting for the governor's permit: a rate limit or the blast radius holds the next step. */
  'held',
  'remediating',
  'verifying',
  'compensating',
  /** Recovered; waiting for a metric to settle before undoing a step marked restoreAfter (a scale-out). */
  'settling',
  /** Linked to the incident that owns its root cause: takes no action, waits for that incident to end. */
  'linked',
  'recovered',
  'escalated',
  'aborted',
  'noise',
] as const;
export type Phase = (typeof PHASES)[number];

export const OUTCOMES = ['recovered', 'escalated', 'aborted', 'noise'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const FAILURE_CLASSES = [
  'bad-release',
  'memory-leak',
  'deadlock',
  'dependency-outage',
  'queue-backlog',
  'corrupted-cache',
  'failed-jobs',
  'network-timeout',
  'resource-exhaustion',
  'unknown',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export interface ApprovalRequest {
  by: string;
  reason: string;
  /** Emergency: skip the remaining bake time of verify steps. Recorded as such. */
  fastPath?: boolean;
}

export interface AbortRequest {
  by: string;
  reason: string;
}

/** The answer to an approve/abort update. */
export interface ApprovalDecision {
  accepted: boolean;
  phase: Phase;
  message: string;
}

export interface AuditEntry {
  at: string;
  kind: 'approve' | 'abort' | 'reject';
  by: string;
  reason: string;
  fastPath?: boolean;
  via: 'signal' | 'update';
}

export interface TimelineEntry {
  at: string;
  phase: Phase;
  event: string;
}

/** Policy read from configuration once per incident (an activity), so it is fixed in history. */
export interface IncidentPolicy {
  /** Who may approve or abort; empty allows nobody (fail closed). */
  approvers: string[];
  approvalTimeoutSeconds: number;
  triageSeconds: number;
  dryRun: boolean;
  /** Absent in histories recorded before permits existed. */
  safety?: SafetyLimits;
  /**
   * Timeouts of the action activities, derived by the worker from its provider's own wait limits so an
   * action can never outlive its activity. Absent in histories recorded before they were derived.
   */
  actionTimeouts?: ActionTimeouts;
  /** What people's feedback may change (the governor applies it); absent: DEFAULT_LEARNING_SETTINGS. */
  learning?: LearningSettings;
}

/** Start-to-close and heartbeat timeouts (seconds) of executeAction and compensateStep. */
export interface ActionTimeouts {
  startToCloseSeconds: number;
  heartbeatSeconds: number;
}

/**
 * `superseded`: someone else changed the step's targets before it could be judged; the incident re-planned.
 * `interrupted`: an abort or cancel stopped the action before it reported, so its outcome is unknown;
 * compensation asks the provider's ledger what it did and undoes that.
 */
export type StepStatus =
  | 'running'
  | 'interrupted'
  | 'verifying'
  | 'done'
  | 'failed'
  | 'superseded'
  | 'compensated'
  | 'compensation-failed';

export interface StepRecord {
  plan: number;
  stage: string;
  stepId: string;
  description: string;
  actionId: string;
  action: ActionSpec;
  compensationKind: CompensationKind;
  status: StepStatus;
  startedAt: string;
  outcome?: ActionOutcome;
  verification?: VerifyResult;
  compensation?: { actionId: string; summaries: string[] };
  /** The step was undone after recovery, once its restoreAfter metric settled (e.g. scaled back in). */
  restored?: { actionId: string; summaries: string[]; at: string };
}

/**
 * Cross-service correlation: incidents whose diagnoses reach one root service form one group. The
 * governor grants the root to the first incident that claims it (`root`, the one that acts); the others
 * link to it (`victim`) and take no action.
 */
export interface Correlation {
  role: 'root' | 'victim';
  rootService: string;
  /** The workflow id of the incident that owns the root (a victim's link; the root's own id). */
  rootIncident: string;
  /** A root's victims (the newest, bounded). */
  victims: Array<{ workflowId: string; service: string; at: string }>;
  /** A victim: how its root incident ended, once it has. */
  rootOutcome?: { outcome: Outcome | 'unknown'; conclusion: string; at: string };
}

export interface VerifyResult {
  healthy: boolean;
  metric: string;
  /** The worst value seen in the window (max for an upper bound, min for a lower one); null without data. */
  observed: number | null;
  bound: string;
  samples: number;
  /** True when an approver's fast path cut the bake time short. */
  fastPath: boolean;
  detail: string;
}

/**
 * What the incident keeps of its evidence: counts and size. The evidence itself travels once from
 * gathering to diagnosis (both in history); keeping it in the state would copy it into every query.
 */
export interface EvidenceSummary {
  gatheredAt: string;
  /** Size of the gathered evidence as JSON; gathering keeps it within EVIDENCE_BYTE_BUDGET. */
  bytes: number;
  services: Array<{ service: string; series: number; deployments: number; targets: number }>;
  unknownDependencies?: Array<{ service: string; reason: string }>;
}

/**
 * The incident's state, as the query returns it. Every list is bounded (a storm of alerts or refused
 * signals must not grow it): counts are exact, lists keep the newest entries.
 */
export interface IncidentState {
  input: IncidentInput;
  workflowId: string;
  phase: Phase;
  severity: Severity;
  /** Fingerprints of the alerts currently firing / that resolved (the newest, bounded). */
  firingAlerts: string[];
  resolvedAlerts: string[];
  /** Firing fingerprints beyond the tracked ones: while any may fire, the alerts are not all resolved. */
  firingUntracked?: number;
  alertsSeen: number;
  policy?: IncidentPolicy;
  /** Evidence (summarised), diagnosis and plan of the current attempt (re-planning replaces them). */
  evidence?: EvidenceSummary;
  diagnosis?: Diagnosis;
  plan?: ResolvedPlan;
  plansMade: number;
  steps: StepRecord[];
  /** Accepted decisions (all of them) and the newest refused ones. */
  approvals: AuditEntry[];
  /** Refused decisions no longer listed in `approvals`. */
  refusalsDropped?: number;
  /** Set by an approval with the fast path: remaining bake times are skipped. */
  fastPath: boolean;
  /** The newest entries; `timelineDropped` older ones were let go (the total is the sum of both). */
  timeline: TimelineEntry[];
  timelineDropped?: number;
  /** Runs this incident continued into (continue-as-new keeps each run's history bounded). */
  runsContinued?: number;
  /** Set once the incident claimed its diagnosis's root service at the governor (patch 'root-correlation'). */
  correlation?: Correlation;
  /** Failures (`root|class`) this incident backed off for as flapping; it acts on its next look. */
  flappingWaited?: string[];
  outcome?: Outcome;
  /** One line on why the incident ended as it did. */
  conclusion?: string;
}

/**
 * What an incident carries into its next run when it continues as new: the bounded state and the
 * decisions taken, and where to resume (only at waits before any step of the current plan ran).
 */
export interface ContinuedIncident {
  state: IncidentState;
  /** Identities of the newest alerts seen, so re-deliveries stay harmless across runs. */
  seenAlerts: string[];
  approval?: ApprovalRequest;
  abortion?: AbortRequest;
  lastActionAt: string;
  /** The governor and the ledgers know the incident by its first run (permit and action ids). */
  firstRunId: string;
  permitsTaken: boolean;
  stoppedByGovernor: boolean;
  resumeAt: { wait: 'triage'; until: string } | { wait: 'approval'; until: string };
}

/** The workflow's result: what happened, for the record and for learning. */
export interface IncidentReport {
  workflowId: string;
  key: string;
  service: string;
  title: string;
  outcome: Outcome;
  conclusion: string;
  failureClass?: FailureClass;
  playbook?: string;
  openedAt: string;
  closedAt: string;
  /** Time to recovery (or to the end, for other outcomes), seconds. */
  durationSeconds: number;
  steps: StepRecord[];
  approvals: AuditEntry[];
  timeline: TimelineEntry[];
  correlation?: Correlation;
}

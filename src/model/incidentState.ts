import type { Severity } from './alert';
import type { IncidentInput } from './incident';

export const PHASES = [
  'triage',
  'gathering',
  'diagnosing',
  'planning',
  'awaiting-approval',
  'remediating',
  'verifying',
  'compensating',
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

export interface IncidentState {
  input: IncidentInput;
  phase: Phase;
  severity: Severity;
  firingAlerts: string[];
  resolvedAlerts: string[];
  alertsSeen: number;
  /** Gathered evidence and diagnosis of the current plan (replanning replaces them). */
  evidence?: unknown;
  diagnosis?: unknown;
  plan?: unknown;
  steps: unknown[];
  approvals: AuditEntry[];
  timeline: TimelineEntry[];
  replans: number;
  outcome?: Outcome;
}

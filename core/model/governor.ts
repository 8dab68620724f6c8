/** The governor: the global pause and the permits every incident asks for before it acts. */
import type { FlappingState } from './flapping';
import type { LearningState } from './learning';
import type { PermitState } from './permits';
import type { Silence } from './silence';

/** One governor per Homeostat deployment, which is one task queue: its id names the queue. */
export function governorWorkflowId(taskQueue: string): string {
  return `homeostat-governor/${taskQueue}`;
}
export const GOVERNOR_WORKFLOW_TYPE = 'governorWorkflow';

export interface PauseRequest {
  by: string;
  reason: string;
}

export interface Pause extends PauseRequest {
  at: string;
}

export interface GovernorLogEntry extends PauseRequest {
  at: string;
  /** breaker-reset: an approver closed a service's circuit breaker by hand. */
  kind: 'pause' | 'resume' | 'breaker-reset' | 'silence' | 'unsilence' | 'feedback' | 'learning-revert';
  service?: string;
  /** silence/unsilence: which silence. */
  silenceId?: string;
}

export interface BreakerResetRequest extends PauseRequest {
  service: string;
}

export interface GovernorState {
  /** Set while automated remediation is paused for every incident. */
  paused: Pause | null;
  /** Who paused, resumed and reset breakers, newest last (bounded). */
  log: GovernorLogEntry[];
  /** Rate limits, blast radius and circuit breakers (absent in runs started before permits existed). */
  permits?: PermitState;
  /** Incidents waiting for the pause to end, signalled on resume. */
  waiting?: string[];
  /**
   * Root service → the open incident that owns it (cross-service correlation, workflows/governorRoots.ts).
   * Absent in runs started before correlation existed.
   */
  roots?: Record<
    string,
    {
      workflowId: string;
      service: string;
      failureClass: string;
      claimedAt: string;
      victims: Array<{ workflowId: string; service: string; at: string }>;
    }
  >;
  /** Operators' silences, active ones only (model/silence.ts); absent in runs started before them. */
  silences?: Silence[];
  /** Silences ever made: numbers their ids. */
  silenceCount?: number;
  /** Recent recoveries per failure and the answers given (model/flapping.ts); absent in older runs. */
  flapping?: FlappingState;
  /** People's feedback on closed incidents and what it changed (model/learning.ts); absent in older runs. */
  learning?: LearningState;
}

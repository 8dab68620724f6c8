/** The global switch every incident consults before it acts. */

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
  kind: 'pause' | 'resume';
}

export interface GovernorState {
  /** Set while automated remediation is paused for every incident. */
  paused: Pause | null;
  /** Who paused and resumed, newest last (bounded). */
  log: GovernorLogEntry[];
}

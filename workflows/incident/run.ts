import {
  ActivityFailure,
  CancellationScope,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentInput } from '../../core/model/incident';
import type {
  AbortRequest,
  ApprovalRequest,
  ContinuedIncident,
  IncidentState,
  Outcome,
  Phase,
} from '../../core/model/incidentState';
import type { LinkedVictim, RootClosed } from '../governorRoots';
import { SA_PHASE } from '../searchAttributes';
import { appendTimeline, initialState, SeenAlerts, statusLine, TERMINAL } from './state';

/**
 * One run of the incident workflow: its state and the decisions the outside world sent it. Every module
 * of the workflow works on this object; only the handlers write `approval` and `abortion`.
 */
export interface IncidentRun {
  readonly input: IncidentInput;
  readonly workflowId: string;
  /**
   * How the governor and the providers' ledgers know this incident: its first run. A run that continued
   * as new keeps it, so permits and action ids stay the same across runs.
   */
  readonly incidentRef: string;
  readonly firstRunId: string;
  readonly state: IncidentState;
  readonly seenAlerts: SeenAlerts;
  approval?: ApprovalRequest;
  abortion?: AbortRequest;
  lastActionAt: string;
  /** The governor granted this incident a permit: it must hear how the incident ended. */
  permitsTaken: boolean;
  /** The governor's limits stopped the incident: not a failed remediation for the breaker. */
  stoppedByGovernor: boolean;
  /** Set by the governor's signal when an approver resumes automation. */
  resumed: boolean;
  /** The scope of the action in flight, cancelled by an abort (patch 'abort-cancels-action'). */
  actionInFlight?: CancellationScope;
  /**
   * Correlation signals that arrived before this incident learned its own role (the governor may signal
   * in the same workflow task that delivers the claim's answer): applied once the role is known.
   */
  early: { victims: LinkedVictim[]; closed: RootClosed[] };
}

export function createRun(input: IncidentInput, continued?: ContinuedIncident): IncidentRun {
  const info = workflowInfo();
  const firstRunId = continued?.firstRunId ?? info.runId;
  return {
    input,
    workflowId: info.workflowId,
    incidentRef: `${info.workflowId}/${firstRunId}`,
    firstRunId,
    state: continued?.state ?? initialState(input, info.workflowId),
    seenAlerts: new SeenAlerts(continued?.seenAlerts),
    ...(continued?.approval ? { approval: continued.approval } : {}),
    ...(continued?.abortion ? { abortion: continued.abortion } : {}),
    lastActionAt: continued?.lastActionAt ?? input.openedAt,
    permitsTaken: continued?.permitsTaken ?? false,
    stoppedByGovernor: continued?.stoppedByGovernor ?? false,
    resumed: false,
    early: { victims: [], closed: [] },
  };
}

/** Adds a timeline entry and refreshes the details the Temporal UI shows. */
export function note(run: IncidentRun, event: string): void {
  appendTimeline(run.state, { at: new Date().toISOString(), phase: run.state.phase, event });
  setCurrentDetails(statusLine(run.state));
}

/** Moves to a phase (visible as a search attribute) and notes why. */
export function enter(run: IncidentRun, phase: Phase, event: string): void {
  run.state.phase = phase;
  upsertSearchAttributes([{ key: SA_PHASE, value: phase }]);
  note(run, event);
}

export const isTerminal = (run: IncidentRun): boolean => TERMINAL.includes(run.state.phase);
export const noActionYet = (run: IncidentRun): boolean => run.state.steps.length === 0;

export type Ending = { outcome: Outcome; conclusion: string };
export const end = (outcome: Outcome, conclusion: string): Ending => ({ outcome, conclusion });
export const aborted = (run: IncidentRun): Ending =>
  end('aborted', `aborted by ${run.abortion!.by}: ${run.abortion!.reason}`);

export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

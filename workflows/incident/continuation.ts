import { continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import type { IncidentInput } from '../../core/model/incident';
import type { ContinuedIncident, IncidentReport } from '../../core/model/incidentState';
import { note, type IncidentRun } from './run';

type IncidentWorkflow = (input: IncidentInput, continued?: ContinuedIncident) => Promise<IncidentReport>;

/**
 * Long waits (triage, approval) may see a storm of alerts or signals; each one is an event in history.
 * When the server suggests it, the incident continues as new from the wait it is in, carrying its
 * bounded state, so no run's history grows past the server's suggestion.
 *
 * Asked once per wait, before it starts: histories recorded before continue-as-new existed replay
 * without the marker and wait exactly as they did.
 */
export function mayContinueAsNew(): boolean {
  return patched('continue-as-new');
}

export const continueSuggested = (): boolean => workflowInfo().continueAsNewSuggested;

/** Continues the incident as a new run that resumes at `resumeAt`. Never returns. */
export async function continueFrom(
  run: IncidentRun,
  resumeAt: ContinuedIncident['resumeAt'],
): Promise<never> {
  const { state } = run;
  state.runsContinued = (state.runsContinued ?? 0) + 1;
  note(run, `history is long: continuing as run ${state.runsContinued + 1} (waiting in ${resumeAt.wait})`);
  const carried: ContinuedIncident = {
    state,
    seenAlerts: run.seenAlerts.toArray(),
    ...(run.approval ? { approval: run.approval } : {}),
    ...(run.abortion ? { abortion: run.abortion } : {}),
    lastActionAt: run.lastActionAt,
    firstRunId: run.firstRunId,
    permitsTaken: run.permitsTaken,
    stoppedByGovernor: run.stoppedByGovernor,
    resumeAt,
  };
  return await continueAsNew<IncidentWorkflow>(run.input, carried);
}

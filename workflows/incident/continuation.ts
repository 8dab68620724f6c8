import { makeContinueAsNewFunc, patched, workflowInfo } from '@temporalio/workflow';
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

/**
 * Continue well before the server's own suggestion (4,096 events or 4 MB by default). Under a storm the
 * continuing workflow task is refused while new signals keep arriving (each must be handled first), and
 * every refused task replays the run from the start, so a run overshoots the point where it decided to
 * continue by whatever arrives meanwhile. Deciding at a quarter of the suggestion keeps replays short and
 * leaves room for that overshoot (test/incident/boundedState.test.ts measures it).
 */
const CONTINUE_AT_EVENTS = 1_000;
const CONTINUE_AT_BYTES = 1024 * 1024;

export function continueSuggested(): boolean {
  const info = workflowInfo();
  return (
    info.continueAsNewSuggested ||
    info.historyLength >= CONTINUE_AT_EVENTS ||
    info.historySize >= CONTINUE_AT_BYTES
  );
}

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
  // Search attributes and memo go along explicitly, so the UI keeps filtering the incident by them.
  const info = workflowInfo();
  return await makeContinueAsNewFunc<IncidentWorkflow>({
    typedSearchAttributes: info.typedSearchAttributes,
    ...(info.memo ? { memo: info.memo } : {}),
  })(run.input, carried);
}

import { CancellationScope } from '@temporalio/workflow';
import type { StepRecord } from '../../core/model/incidentState';
import { actions } from './proxies';
import { enter, failureMessage, note, type IncidentRun } from './run';

/** Steps that changed (or may have changed) the world: what compensation undoes. */
function undoable(step: StepRecord): boolean {
  if (step.status === 'interrupted') return true; // outcome unknown: the ledger says what it did
  return Boolean(step.outcome) && ['done', 'verifying', 'failed'].includes(step.status);
}

/**
 * Undoes the current plan's applied steps in reverse order; runs to the end even if the workflow is
 * cancelled. An interrupted step (its action was cancelled or timed out before it reported) is undone
 * from what the provider's ledger recorded for its action id.
 */
export async function compensate(run: IncidentRun, why: string): Promise<void> {
  const { state } = run;
  const applied = state.steps.filter((s) => s.plan === state.plansMade && undoable(s));
  if (applied.length === 0) return;
  const act = actions(state.policy, { awaitCancellation: false });
  await CancellationScope.nonCancellable(async () => {
    enter(run, 'compensating', `undoing ${applied.length} step(s) in reverse: ${why}`);
    for (const step of [...applied].reverse()) {
      try {
        const summaries = await act.compensateStep({
          actionId: step.actionId,
          kind: step.compensationKind,
          action: step.action,
          ...(step.outcome ? { outcome: step.outcome } : {}),
        });
        step.status = 'compensated';
        step.compensation = { actionId: `${step.actionId}/undo`, summaries };
        note(
          run,
          `undid ${step.stepId}${summaries.length ? `: ${summaries.join('; ')}` : ' (nothing to undo)'}`,
        );
      } catch (err) {
        step.status = 'compensation-failed';
        note(run, `could not undo ${step.stepId}: ${failureMessage(err)}`);
      }
    }
  });
}

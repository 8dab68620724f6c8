import { CancellationScope, condition } from '@temporalio/workflow';
import type { PlannedStep, ResolvedPlan, RestoreAfter } from '../../core/model/plan';
import type { StepRecord } from '../../core/model/incidentState';
import { actions, reads } from './proxies';
import { enter, failureMessage, note, type IncidentRun } from './run';

/**
 * Steps undone after recovery (a playbook's `restoreAfter`): a scale-out returns the service to its
 * original size once the metric that called for it (queue depth, saturation) has settled near its
 * baseline. The undo is the step's own compensation, under the same derived action id
 * (`<actionId>/undo<n>`), so a retry or a new worker after a crash changes nothing twice; Temporal's
 * timers carry the wait across a crash.
 */

/** A recovered plan's verified steps that ask to be undone once their metric settles, in reverse order. */
function restorable(
  run: IncidentRun,
  plan: ResolvedPlan,
): Array<{ record: StepRecord; restore: RestoreAfter }> {
  const planned = new Map<string, PlannedStep>(
    plan.stages.flatMap((s) => s.steps.map((st) => [st.id, st] as const)),
  );
  return run.state.steps
    .filter((r) => r.plan === run.state.plansMade && r.status === 'done' && r.outcome && !r.restored)
    .map((record) => ({ record, restore: planned.get(record.stepId)?.restoreAfter }))
    .filter((x): x is { record: StepRecord; restore: RestoreAfter } => x.restore !== undefined)
    .reverse();
}

export function hasRestorableSteps(run: IncidentRun, plan: ResolvedPlan): boolean {
  return restorable(run, plan).length > 0;
}

/**
 * Waits until `restore.metric` of the service held its bound over the last `settleSeconds`, checking
 * once per settle window, up to `maxWaitSeconds`. False when it did not settle in time or on an abort.
 */
async function settled(run: IncidentRun, service: string, restore: RestoreAfter): Promise<boolean> {
  const deadline = Date.now() + restore.maxWaitSeconds * 1000;
  for (;;) {
    if (await condition(() => Boolean(run.abortion), `${restore.settleSeconds} seconds`)) return false;
    const check = await reads.checkHealth({
      service,
      check: {
        metric: restore.metric,
        max: restore.max,
        bakeSeconds: 0,
        windowSeconds: restore.settleSeconds,
        scope: 'service',
      },
      since: new Date(Date.now() - restore.settleSeconds * 1000).toISOString(),
      fastPath: false,
    });
    if (check.healthy && check.samples > 0) return true;
    if (Date.now() + restore.settleSeconds * 1000 > deadline) return false;
  }
}

/**
 * Undoes each restorable step once its metric settled; returns one sentence per step for the
 * conclusion. A step whose metric does not settle in time is left in place, and the incident says so:
 * the service stays bigger rather than shrinking into the load that called for it.
 */
export async function restoreAfterRecovery(run: IncidentRun, plan: ResolvedPlan): Promise<string[]> {
  const said: string[] = [];
  for (const { record, restore } of restorable(run, plan)) {
    const service = record.action.service;
    enter(
      run,
      'settling',
      `waiting for ${restore.metric} of ${service} to stay ≤ ${restore.max} for ${restore.settleSeconds}s (at most ${restore.maxWaitSeconds}s) before undoing ${record.stepId}`,
    );
    if (!(await settled(run, service, restore))) {
      const why = run.abortion
        ? `${record.stepId} left in place: aborted by ${run.abortion.by} while waiting`
        : `${record.stepId} left in place: ${restore.metric} of ${service} did not settle within ${restore.maxWaitSeconds}s`;
      note(run, why);
      said.push(why);
      continue;
    }
    try {
      // Not cancellable: once started, the undo runs to its end, like a compensation.
      const summaries = await CancellationScope.nonCancellable(() =>
        actions(run.state.policy, { awaitCancellation: false }).compensateStep({
          actionId: record.actionId,
          kind: record.compensationKind,
          action: record.action,
          ...(record.outcome ? { outcome: record.outcome } : {}),
        }),
      );
      record.restored = { actionId: `${record.actionId}/undo`, summaries, at: new Date().toISOString() };
      const done = `${record.stepId} undone after ${restore.metric} settled: ${summaries.join('; ') || 'nothing to undo'}`;
      note(run, done);
      said.push(done);
    } catch (err) {
      const failed = `could not undo ${record.stepId} after recovery: ${failureMessage(err)}`;
      note(run, failed);
      said.push(failed);
    }
  }
  return said;
}

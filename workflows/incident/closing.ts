import {
  CancellationScope,
  patched,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentReport, Outcome, StepRecord } from '../../core/model/incidentState';
import { DEFAULT_SAFETY_LIMITS, type RemediationResult } from '../../core/model/permits';
import { SA_OUTCOME, SA_RESULT } from '../searchAttributes';
import { correlationMemo } from './correlation';
import { notifyClosed } from './notifications';
import { record, release } from './proxies';
import { enter, failureMessage, note, type Ending, type IncidentRun } from './run';

/**
 * Closes the incident: its outcome goes where Temporal keeps it (the result, the outcome and result
 * search attributes, the memo), then the governor hears how it ended and a copy is recorded outside.
 * Those two are side effects that may fail after all their retries; neither can change the outcome or
 * fail the workflow.
 */
export async function close(run: IncidentRun, ending: Ending): Promise<IncidentReport> {
  const { input, state } = run;
  state.outcome = ending.outcome;
  state.conclusion = ending.conclusion;
  enter(run, ending.outcome, ending.conclusion);
  upsertSearchAttributes([{ key: SA_OUTCOME, value: ending.outcome }]);
  const closedAt = new Date().toISOString();
  const report: IncidentReport = {
    workflowId: run.workflowId,
    key: input.key,
    service: input.service,
    title: input.title,
    outcome: ending.outcome,
    conclusion: ending.conclusion,
    ...(state.diagnosis ? { failureClass: state.diagnosis.failureClass } : {}),
    ...(state.plan ? { playbook: state.plan.playbook } : {}),
    openedAt: input.openedAt,
    closedAt,
    durationSeconds: Math.round((Date.parse(closedAt) - Date.parse(input.openedAt)) / 1000),
    steps: state.steps,
    approvals: state.approvals,
    timeline: state.timeline,
    ...(state.correlation ? { correlation: state.correlation } : {}),
  };
  const result = run.permitsTaken
    ? remediationResult(ending.outcome, state.steps, run.stoppedByGovernor)
    : undefined;
  if (result && recordsResultAttribute(run)) upsertSearchAttributes([{ key: SA_RESULT, value: result }]);
  if (patched('outcome-in-memo')) upsertMemo({ outcome: outcomeMemo(report) });

  // People hear how it ended alongside the other closing effects; awaited last, bounded by the activity.
  const notified = bestEffort(run, 'notify how the incident ended', () => notifyClosed(run, ending));
  await bestEffort(run, 'release the governor permits', async () => {
    if (!result) return;
    await release.releasePermits({
      incidentId: run.incidentRef,
      services: [...new Set(state.steps.filter((s) => s.outcome).map((s) => s.action.service))],
      result,
      conclusion: ending.conclusion,
      limits: state.policy?.safety ?? DEFAULT_SAFETY_LIMITS,
      // The failure it handled: a recovery is remembered by root + class for flapping protection.
      ...(state.diagnosis && !state.diagnosis.healthy
        ? { rootService: state.diagnosis.rootService, failureClass: state.diagnosis.failureClass }
        : {}),
    });
  });
  // A root incident frees its root; the governor tells its victims how it ended (they then check
  // their own services). Set only under patch 'root-correlation', so older histories never ask.
  if (state.correlation?.role === 'root') {
    await bestEffort(run, 'release the root cause at the governor', async () => {
      await release.releaseRoots({
        workflowId: run.workflowId,
        outcome: ending.outcome,
        conclusion: ending.conclusion.slice(0, 500),
      });
    });
  }
  await bestEffort(run, 'record the outcome outside Temporal', async () => {
    await record.recordOutcome({ ...report, runId: workflowInfo().runId });
  });
  await notified;
  return report;
}

/**
 * Whether to set HomeostatResult. It was added (with the playbook track record) without a patch, so
 * histories from before carry neither the upsert nor a marker: those runs made their plans without a
 * track record, which is how they are told apart from the ones after.
 */
function recordsResultAttribute(run: IncidentRun): boolean {
  if (patched('result-search-attribute')) return true;
  return run.state.plan?.trackRecord !== undefined;
}

/** The outcome in the memo: a few fields the UI shows and `homeostat` reads without a worker. */
function outcomeMemo(report: IncidentReport) {
  return {
    outcome: report.outcome,
    conclusion: report.conclusion.slice(0, 500),
    ...(report.failureClass ? { failureClass: report.failureClass } : {}),
    ...(report.playbook ? { playbook: report.playbook } : {}),
    closedAt: report.closedAt,
    durationSeconds: report.durationSeconds,
    steps: report.steps.length,
    // Each action's kind and how it ended, for /metrics and `homeostat stats` (bounded like the steps).
    // Only the memo's content changes, not its command, so older histories replay unchanged.
    actions: report.steps.slice(0, 50).map((s) => ({ kind: s.action.kind, status: s.status })),
    ...(report.correlation ? { correlation: correlationMemo(report.correlation) } : {}),
  };
}

/** Runs a closing side effect to the end even if the workflow is cancelled; a failure is noted, not thrown. */
async function bestEffort(run: IncidentRun, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await CancellationScope.nonCancellable(fn);
  } catch (err) {
    note(run, `could not ${what}: ${failureMessage(err)}`);
  }
}

/**
 * What the breaker learns from an incident that held permits: a recovery closes it; acting and then
 * escalating (a step that did not verify, a service that did not recover, an activity out of retries)
 * counts as a failure. Aborts by people, noise and stops by the governor's own limits count for nothing.
 */
function remediationResult(
  outcome: Outcome,
  steps: StepRecord[],
  stoppedByGovernor: boolean,
): RemediationResult {
  if (outcome === 'recovered') return 'recovered';
  if (outcome === 'escalated' && !stoppedByGovernor && steps.some((s) => s.outcome)) return 'failed';
  return 'neutral';
}

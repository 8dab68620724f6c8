import {
  ActivityFailure,
  CancellationScope,
  isCancellation,
  patched,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { StepRecord, VerifyResult } from '../../core/model/incidentState';
import type { CheckRequest, PlannedStep, ResolvedPlan } from '../../core/model/plan';
import type { ActionOutcome, Topology } from '../../core/model/signals';
import { actions, reads } from './proxies';
import { compensate } from './compensation';
import { bake, holdWhilePaused, obtainPermit } from './gates';
import { notify } from './notifications';
import { aborted, end, failureMessage, note, type Ending, type IncidentRun } from './run';

/** A verification gets this many windows to show a healthy one. */
const VERIFY_WINDOWS = 3;

/**
 * Judges a check over its window, up to VERIFY_WINDOWS times: one healthy window passes, so requests
 * still in flight from before the change (timeouts draining) do not fail a fix that works.
 */
export async function verify(run: IncidentRun, req: CheckRequest): Promise<VerifyResult> {
  let result = await reads.checkHealth(req);
  for (let i = 1; i < VERIFY_WINDOWS && !result.healthy && !run.abortion; i++) {
    await sleep(`${req.check.windowSeconds} seconds`);
    result = await reads.checkHealth(req);
  }
  return result;
}

/** Targets whose release changed since the plan was made, by someone other than this incident. */
function movedTargets(expected: Record<string, string>, topology: Topology): string[] {
  return topology.targets
    .filter((t) => expected[t.id] !== undefined && expected[t.id] !== t.release)
    .map((t) => `${t.id}: ${expected[t.id]} → ${t.release}`);
}

/**
 * Whether someone changed the step's service while the step baked or was judged: then its verdict
 * says nothing about the step, and the incident re-plans rather than judging or undoing it.
 * (Added after histories were recorded, hence the patch marker.)
 */
async function movedDuring(
  run: IncidentRun,
  plan: ResolvedPlan,
  step: PlannedStep,
  record: StepRecord,
): Promise<boolean> {
  if (!patched('recheck-target-after-bake')) return false;
  const moved = movedTargets(plan.expectedReleases, await reads.readTopology(step.action.service));
  if (moved.length === 0) return false;
  record.status = 'superseded';
  note(
    run,
    `the service changed under the incident (${moved.join(', ')}) while ${step.id} baked: re-gathering`,
  );
  return true;
}

/** The action outcome is unknown: it was cancelled or timed out, and may have changed the world. */
function outcomeUnknown(err: unknown): boolean {
  return isCancellation(err) || (err instanceof ActivityFailure && err.cause instanceof TimeoutFailure);
}

/**
 * Runs one step's action. With patch 'abort-cancels-action' the action runs in a scope an abort cancels,
 * and its cancellation is awaited: the action has stopped before compensation starts, so compensation
 * undoes exactly what it did. Old histories keep waiting for the action to finish.
 */
async function executeStep(run: IncidentRun, record: StepRecord): Promise<ActionOutcome> {
  const cancellable = patched('abort-cancels-action');
  const act = actions(run.state.policy, { awaitCancellation: cancellable });
  const req = { actionId: record.actionId, action: record.action };
  if (!cancellable) return await act.executeAction(req);
  const scope = new CancellationScope();
  run.actionInFlight = scope;
  try {
    return await scope.run(() => act.executeAction(req));
  } catch (err) {
    if (outcomeUnknown(err)) record.status = 'interrupted';
    throw err;
  } finally {
    run.actionInFlight = undefined;
  }
}

/**
 * One step: hold while paused, ask the governor, check nobody moved the service, act, bake, verify.
 * Returns 'ok' (also after an abort: the caller undoes), 'replan', or how the incident ends.
 */
export async function runStep(
  run: IncidentRun,
  plan: ResolvedPlan,
  stage: string,
  step: PlannedStep,
): Promise<Ending | 'ok' | 'replan'> {
  const { state } = run;
  if (run.abortion) return 'ok';
  await holdWhilePaused(run);
  if (run.abortion) return 'ok';
  const actionId = `${run.workflowId.slice(0, 60)}/${run.firstRunId}/p${state.plansMade}/${step.id}`;
  const permit = await obtainPermit(run, step, actionId);
  if (permit !== 'ok' || run.abortion) return permit;
  const topology = await reads.readTopology(step.action.service);
  // Every step of a plan acts on its root service, whose releases the plan recorded when it was made.
  const moved = movedTargets(plan.expectedReleases, topology);
  if (moved.length > 0) {
    note(
      run,
      `the service changed under the incident (${moved.join(', ')}): re-gathering instead of acting on stale evidence`,
    );
    return 'replan';
  }
  const record: StepRecord = {
    plan: state.plansMade,
    stage,
    stepId: step.id,
    description: step.description,
    actionId,
    action: step.action,
    compensationKind: step.compensation,
    status: 'running',
    startedAt: new Date().toISOString(),
  };
  state.steps.push(record);
  note(run, `${stage}: ${step.description}`);
  try {
    record.outcome = await executeStep(run, record);
  } catch (err) {
    if (record.status === 'interrupted') {
      note(run, `${step.id} interrupted before it reported: ${failureMessage(err)}`);
      if (run.abortion) return 'ok'; // the caller undoes the plan, this step included
      if (isCancellation(err)) throw err; // the workflow was cancelled: the lifecycle undoes
    } else {
      record.status = 'failed';
      note(run, `${step.id} failed: ${failureMessage(err)}`);
    }
    await compensate(run, `${step.id} failed`);
    return end('escalated', `step ${step.id} failed: ${failureMessage(err)}`);
  }
  run.lastActionAt = new Date().toISOString();
  notify(
    run,
    'action-taken',
    `action/p${state.plansMade}/${step.id}`,
    `${step.description}: ${record.outcome.summary}`,
  );
  for (const [target, release] of Object.entries(record.outcome.after.release ?? {})) {
    plan.expectedReleases[target] = release;
  }
  record.status = 'verifying';
  note(
    run,
    `${step.id}: ${record.outcome.summary}${record.outcome.applied ? '' : ' (already applied)'}; baking ${step.verify.bakeSeconds}s`,
  );
  await bake(run, step.verify.bakeSeconds);
  if (run.abortion) return 'ok';
  if (await movedDuring(run, plan, step, record)) return 'replan';
  const targets = 'targets' in step.action ? step.action.targets : undefined;
  const after = record.outcome.after.release ?? {};
  record.verification = await verify(run, {
    service: step.action.service,
    check: step.verify,
    ...(targets ? { targets } : {}),
    // The releases the step's own targets now run (a provider may report every target's release).
    releases: [
      ...new Set(
        targets ? targets.map((t) => after[t]).filter((r): r is string => !!r) : Object.values(after),
      ),
    ],
    pools: [
      ...new Set(topology.targets.filter((t) => t.pool && targets?.includes(t.id)).map((t) => t.pool!)),
    ],
    since: run.lastActionAt,
    fastPath: state.fastPath,
  });
  if (!record.verification.healthy) {
    // A person's deploy during the check explains the failure better than our step does.
    if (await movedDuring(run, plan, step, record)) return 'replan';
    record.status = 'failed';
    note(run, `${step.id} did not verify: ${record.verification.detail}`);
    await compensate(run, `${step.id} did not verify`);
    return end('escalated', `${step.id} did not verify (${record.verification.detail}); its plan was undone`);
  }
  record.status = 'done';
  note(run, `${step.id} verified: ${record.verification.detail}`);
  return 'ok';
}

/** The plan's stages in order, step by step; an abort undoes what the plan did. */
export async function remediate(run: IncidentRun, plan: ResolvedPlan): Promise<Ending | 'done' | 'replan'> {
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      const result = await runStep(run, plan, stage.name, step);
      if (run.abortion) {
        await compensate(run, 'aborted');
        return aborted(run);
      }
      if (result !== 'ok') return result;
    }
  }
  return 'done';
}

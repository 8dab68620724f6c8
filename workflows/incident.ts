import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HomeostatActivities } from '../activities';
import type { CheckRequest } from '../activities/verify';
import type { IncidentInput } from '../core/model/incident';
import type {
  AbortRequest,
  ApprovalDecision,
  ApprovalRequest,
  AuditEntry,
  IncidentReport,
  IncidentState,
  Outcome,
  Phase,
  StepRecord,
  VerifyResult,
} from '../core/model/incidentState';
import { DEFAULT_SAFETY_LIMITS, type RemediationResult } from '../core/model/permits';
import type { PlannedStep, ResolvedPlan } from '../core/model/plan';
import type { Topology } from '../core/model/signals';
import {
  abortSignal,
  abortUpdate,
  alertSignal,
  approveSignal,
  approveUpdate,
  automationResumedSignal,
  stateQuery,
} from './api';
import { allResolved, applyAlerts, initialState, statusLine, TERMINAL } from './incidentState';
import {
  SA_FAILURE_CLASS,
  SA_OUTCOME,
  SA_PHASE,
  SA_PLAYBOOK,
  SA_RESULT,
  SA_SERVICE,
  SA_SEVERITY,
} from './searchAttributes';

/** Reads and decisions: quick, safe to retry. */
const decide = proxyActivities<HomeostatActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 6 },
});

/**
 * Actions: they wait for the change to take effect and heartbeat meanwhile, so a dead worker is noticed
 * within the heartbeat timeout and the action resumes on another; the provider's ledger (keyed by the
 * action id) makes the retry wait for — never repeat — the change.
 */
const act = proxyActivities<HomeostatActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/** A plan may be redone this many times when the world changes under it, then a human takes over. */
const MAX_PLANS = 3;
/** A verification gets this many windows to show a healthy one. */
const VERIFY_WINDOWS = 3;

type Ending = { outcome: Outcome; conclusion: string };
const end = (outcome: Outcome, conclusion: string): Ending => ({ outcome, conclusion });

/**
 * One incident, from its first alert to a verified recovery or a hand-over to a human.
 * triage → gather → diagnose → plan → (approval) → remediate stage by stage (verify each step;
 * compensate completed steps in reverse on failure or abort) → verify → recovered | escalated | aborted | noise.
 */
export async function incidentWorkflow(input: IncidentInput): Promise<IncidentReport> {
  const info = workflowInfo();
  const state: IncidentState = initialState(input, info.workflowId);
  const seenAlerts = new Set<string>();
  let approval: ApprovalRequest | undefined;
  let abortion: AbortRequest | undefined;
  let lastActionAt = input.openedAt;
  /** The governor granted this incident a permit: it must hear how the incident ended. */
  let permitsTaken = false;
  /** The governor's limits stopped the incident: not a failed remediation for the breaker. */
  let stoppedByGovernor = false;
  /** Set by the governor's signal when an approver resumes automation. */
  let resumed = false;

  const note = (event: string): void => {
    state.timeline.push({ at: new Date().toISOString(), phase: state.phase, event });
    setCurrentDetails(statusLine(state));
  };
  const enter = (phase: Phase, event: string): void => {
    state.phase = phase;
    upsertSearchAttributes([{ key: SA_PHASE, value: phase }]);
    note(event);
  };
  const isTerminal = (): boolean => TERMINAL.includes(state.phase);
  const noActionYet = (): boolean => state.steps.length === 0;

  // ---- the outside world: alerts, approvals, aborts, queries ----
  setHandler(alertSignal, (batch) => {
    const fresh = applyAlerts(state, batch, seenAlerts);
    if (fresh > 0) {
      note(
        `${fresh} alert(s) received; firing: ${state.firingAlerts.length}, resolved: ${state.resolvedAlerts.length}`,
      );
    }
  });
  setHandler(stateQuery, () => state);
  setHandler(automationResumedSignal, () => {
    resumed = true;
  });

  /** Why `by` may not decide now, or undefined when they may. Fails closed: no policy, no approvers → nobody. */
  const refusal = (kind: 'approve' | 'abort', by: string, reason: string): string | undefined => {
    if (isTerminal()) return `the incident is over (${state.phase})`;
    if (!by?.trim() || !reason?.trim()) return `${kind} needs both who (by) and why (reason)`;
    if (kind === 'approve' && state.phase !== 'awaiting-approval') {
      return `the incident is not awaiting approval (phase: ${state.phase})`;
    }
    if (!state.policy) return 'the incident has not loaded its approval policy yet; try again in a moment';
    if (!state.policy.approvers.includes(by)) return `${by} is not an approver for this incident`;
    return undefined;
  };
  const audit = (entry: Omit<AuditEntry, 'at'>): void => {
    state.approvals.push({ at: new Date().toISOString(), ...entry });
  };
  const acceptApproval = (req: ApprovalRequest, via: AuditEntry['via']): ApprovalDecision => {
    approval = req;
    state.fastPath ||= Boolean(req.fastPath);
    audit({ kind: 'approve', by: req.by, reason: req.reason, fastPath: Boolean(req.fastPath), via });
    note(`approved by ${req.by}${req.fastPath ? ' (fast path: bake times skipped)' : ''}: ${req.reason}`);
    return { accepted: true, phase: state.phase, message: `approved by ${req.by}` };
  };
  const acceptAbort = (req: AbortRequest, via: AuditEntry['via']): ApprovalDecision => {
    abortion = req;
    audit({ kind: 'abort', by: req.by, reason: req.reason, via });
    note(`abort requested by ${req.by}: ${req.reason}`);
    return {
      accepted: true,
      phase: state.phase,
      message: `abort accepted from ${req.by}; completed steps will be undone`,
    };
  };
  const rejectSignal = (
    kind: 'approve' | 'abort',
    req: { by: string; reason: string },
    why: string,
  ): void => {
    audit({ kind: 'reject', by: req.by ?? '', reason: `${kind} refused: ${why}`, via: 'signal' });
    note(`${kind} from ${req.by} refused: ${why}`);
  };

  setHandler(approveUpdate, (req) => acceptApproval(req, 'update'), {
    validator: (req) => {
      const why = refusal('approve', req.by, req.reason);
      if (why) throw new Error(why);
    },
  });
  setHandler(abortUpdate, (req) => acceptAbort(req, 'update'), {
    validator: (req) => {
      const why = refusal('abort', req.by, req.reason);
      if (why) throw new Error(why);
    },
  });
  setHandler(approveSignal, (req) => {
    const why = refusal('approve', req.by, req.reason);
    if (why) rejectSignal('approve', req, why);
    else acceptApproval(req, 'signal');
  });
  setHandler(abortSignal, (req) => {
    const why = refusal('abort', req.by, req.reason);
    if (why) rejectSignal('abort', req, why);
    else acceptAbort(req, 'signal');
  });

  // ---- helpers of the lifecycle ----
  const aborted = (): Ending => end('aborted', `aborted by ${abortion!.by}: ${abortion!.reason}`);

  /** Waits out a bake time; an approver's fast path or an abort cuts it short (a few samples still needed). */
  const bake = async (seconds: number): Promise<void> => {
    await condition(() => state.fastPath || Boolean(abortion), `${seconds} seconds`);
    if (state.fastPath && !abortion) await sleep(`${Math.min(seconds, 2)} seconds`);
  };

  /** Undoes the current plan's applied steps in reverse order; runs to the end even if the workflow is cancelled. */
  const compensate = async (why: string): Promise<void> => {
    const applied = state.steps.filter(
      (s) => s.plan === state.plansMade && s.outcome && ['done', 'verifying', 'failed'].includes(s.status),
    );
    if (applied.length === 0) return;
    await CancellationScope.nonCancellable(async () => {
      enter('compensating', `undoing ${applied.length} step(s) in reverse: ${why}`);
      for (const step of [...applied].reverse()) {
        try {
          const summaries = await act.compensateStep({
            actionId: step.actionId,
            kind: step.compensationKind,
            action: step.action,
            outcome: step.outcome!,
          });
          step.status = 'compensated';
          step.compensation = { actionId: `${step.actionId}/undo`, summaries };
          note(
            `undid ${step.stepId}${summaries.length ? `: ${summaries.join('; ')}` : ' (nothing to undo)'}`,
          );
        } catch (err) {
          step.status = 'compensation-failed';
          note(`could not undo ${step.stepId}: ${failureMessage(err)}`);
        }
      }
    });
  };

  /**
   * Judges a check over its window, up to VERIFY_WINDOWS times: one healthy window passes, so requests
   * still in flight from before the change (timeouts draining) do not fail a fix that works.
   */
  const verify = async (req: CheckRequest): Promise<VerifyResult> => {
    let result = await decide.checkHealth(req);
    for (let i = 1; i < VERIFY_WINDOWS && !result.healthy && !abortion; i++) {
      await sleep(`${req.check.windowSeconds} seconds`);
      result = await decide.checkHealth(req);
    }
    return result;
  };

  /** Targets whose release changed since the plan was made, by someone other than this incident. */
  const movedTargets = (expected: Record<string, string>, topology: Topology): string[] =>
    topology.targets
      .filter((t) => expected[t.id] !== undefined && expected[t.id] !== t.release)
      .map((t) => `${t.id}: ${expected[t.id]} → ${t.release}`);

  /**
   * Whether someone changed the step's service while the step baked or was judged: then its verdict
   * says nothing about the step, and the incident re-plans rather than judging or undoing it.
   * (Added after histories were recorded, hence the patch marker.)
   */
  const movedDuring = async (plan: ResolvedPlan, step: PlannedStep, record: StepRecord): Promise<boolean> => {
    if (!patched('recheck-target-after-bake')) return false;
    const moved = movedTargets(plan.expectedReleases, await decide.readTopology(step.action.service));
    if (moved.length === 0) return false;
    record.status = 'superseded';
    note(`the service changed under the incident (${moved.join(', ')}) while ${step.id} baked: re-gathering`);
    return true;
  };

  /**
   * Waits while an operator has paused all automation (the governor's kill switch), polling with a
   * growing interval so a long pause adds few events. Abort still works meanwhile.
   */
  const holdWhilePaused = async (): Promise<void> => {
    if (!patched('governor-pause')) return;
    let pause = await decide.readPause();
    if (!pause) return;
    const resumeIn = state.phase;
    enter('paused', `automation is paused by ${pause.by} (${pause.reason}); waiting — abort still works`);
    if (patched('pause-resume-signal')) {
      // The governor signals this incident on resume; the hourly re-check only guards against a lost
      // signal (a governor terminated by hand), so a weekend-long freeze adds a few events an hour.
      while (pause && !abortion) {
        resumed = false;
        pause = await decide.waitOutPause({ workflowId: info.workflowId });
        if (pause) await condition(() => resumed || Boolean(abortion), '1 hour');
      }
    } else {
      for (let wait = 5; pause && !abortion; wait = Math.min(wait * 2, 60)) {
        await condition(() => Boolean(abortion), `${wait} seconds`);
        if (!abortion) pause = await decide.readPause();
      }
    }
    if (!abortion) enter(resumeIn, 'automation resumed');
  };

  /**
   * Waits for an approver, an abort, or (with `endOnResolve`) every alert resolving, up to the policy's
   * approval timeout.
   */
  const awaitApproval = async (
    why: string,
    opts: { endOnResolve: boolean },
  ): Promise<'approved' | 'aborted' | 'timed-out' | 'resolved'> => {
    enter('awaiting-approval', `waiting for approval: ${why}`);
    const decided = await condition(
      () => Boolean(approval) || Boolean(abortion) || (opts.endOnResolve && allResolved(state)),
      `${state.policy!.approvalTimeoutSeconds} seconds`,
    );
    if (abortion) return 'aborted';
    if (!decided) return 'timed-out';
    return approval ? 'approved' : 'resolved';
  };

  /**
   * The governor's word on one step: granted; wait (a rate limit, the blast radius) and ask again, up to
   * the hold limit; or a human's approval first (the service's circuit breaker is open). Stopping here
   * leaves verified steps in place: they helped, only going further was not allowed.
   */
  const obtainPermit = async (step: PlannedStep, permitId: string): Promise<Ending | 'ok'> => {
    if (!patched('governor-permits')) return 'ok';
    const limits = state.policy?.safety ?? DEFAULT_SAFETY_LIMITS;
    const heldSince = Date.now();
    const handOver = (why: string): Ending => {
      stoppedByGovernor = true;
      const kept = state.steps.filter((s) => s.plan === state.plansMade && s.status === 'done').length;
      return end('escalated', kept > 0 ? `${why}; ${kept} verified step(s) left in place` : why);
    };
    let lastReason = '';
    for (;;) {
      const decision = await decide.requestPermit({
        permitId,
        incidentId: `${info.workflowId}/${info.runId}`,
        service: step.action.service,
        stepId: step.id,
        ...(approval ? { approvedBy: approval.by } : {}),
        limits,
      });
      if (decision.verdict === 'granted') {
        permitsTaken = true;
        if (lastReason) enter('remediating', `permit granted: ${decision.detail}`);
        return 'ok';
      }
      if (decision.verdict === 'needs-approval') {
        const answer = await awaitApproval(decision.reason, { endOnResolve: noActionYet() });
        if (answer === 'aborted') return 'ok'; // the caller sees the abort and undoes what was done
        if (answer === 'resolved') return end('noise', 'the alerts resolved while waiting for approval');
        if (answer === 'timed-out')
          return handOver(`no approval within ${state.policy!.approvalTimeoutSeconds}s: ${decision.reason}`);
        lastReason = decision.reason;
        continue;
      }
      const heldFor = (Date.now() - heldSince) / 1000;
      if (heldFor + decision.retryAfterSeconds > limits.maxHoldSeconds)
        return handOver(`held by the governor (${decision.reason}) beyond ${limits.maxHoldSeconds}s`);
      if (decision.reason !== lastReason)
        enter(
          'held',
          `held by the governor: ${decision.reason}; asking again in ${decision.retryAfterSeconds}s`,
        );
      lastReason = decision.reason;
      await condition(() => Boolean(abortion), `${Math.min(decision.retryAfterSeconds, 300)} seconds`);
      if (abortion) return 'ok';
    }
  };

  const runStep = async (
    plan: ResolvedPlan,
    stage: string,
    step: PlannedStep,
  ): Promise<Ending | 'ok' | 'replan'> => {
    if (abortion) return 'ok';
    await holdWhilePaused();
    if (abortion) return 'ok';
    const actionId = `${info.workflowId.slice(0, 60)}/${info.runId}/p${state.plansMade}/${step.id}`;
    const permit = await obtainPermit(step, actionId);
    if (permit !== 'ok' || abortion) return permit;
    const topology = await decide.readTopology(step.action.service);
    // Every step of a plan acts on its root service, whose releases the plan recorded when it was made.
    const moved = movedTargets(plan.expectedReleases, topology);
    if (moved.length > 0) {
      note(
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
    note(`${stage}: ${step.description}`);
    try {
      record.outcome = await act.executeAction({ actionId: record.actionId, action: step.action });
    } catch (err) {
      record.status = 'failed';
      note(`${step.id} failed: ${failureMessage(err)}`);
      await compensate(`${step.id} failed`);
      return end('escalated', `step ${step.id} failed: ${failureMessage(err)}`);
    }
    lastActionAt = new Date().toISOString();
    for (const [target, release] of Object.entries(record.outcome.after.release ?? {})) {
      plan.expectedReleases[target] = release;
    }
    record.status = 'verifying';
    note(
      `${step.id}: ${record.outcome.summary}${record.outcome.applied ? '' : ' (already applied)'}; baking ${step.verify.bakeSeconds}s`,
    );
    await bake(step.verify.bakeSeconds);
    if (abortion) return 'ok';
    if (await movedDuring(plan, step, record)) return 'replan';
    const targets = 'targets' in step.action ? step.action.targets : undefined;
    const after = record.outcome.after.release ?? {};
    record.verification = await verify({
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
      since: lastActionAt,
      fastPath: state.fastPath,
    });
    if (!record.verification.healthy) {
      // A person's deploy during the check explains the failure better than our step does.
      if (await movedDuring(plan, step, record)) return 'replan';
      record.status = 'failed';
      note(`${step.id} did not verify: ${record.verification.detail}`);
      await compensate(`${step.id} did not verify`);
      return end(
        'escalated',
        `${step.id} did not verify (${record.verification.detail}); its plan was undone`,
      );
    }
    record.status = 'done';
    note(`${step.id} verified: ${record.verification.detail}`);
    return 'ok';
  };

  const remediate = async (plan: ResolvedPlan): Promise<Ending | 'done' | 'replan'> => {
    for (const stage of plan.stages) {
      for (const step of stage.steps) {
        const result = await runStep(plan, stage.name, step);
        if (abortion) {
          await compensate('aborted');
          return aborted();
        }
        if (result !== 'ok') return result;
      }
    }
    return 'done';
  };

  const lifecycle = async (): Promise<Ending> => {
    upsertSearchAttributes([
      { key: SA_SERVICE, value: input.service },
      { key: SA_SEVERITY, value: input.severity },
    ]);
    note(`incident opened: ${input.title}`);
    state.policy = await decide.loadPolicy();
    if (state.policy.triageSeconds > 0) {
      await condition(() => Boolean(abortion), `${state.policy.triageSeconds} seconds`);
    }
    let notBefore: string | undefined;
    for (;;) {
      if (abortion) return aborted();
      if (allResolved(state) && noActionYet())
        return end('noise', 'the alerts resolved before any action was taken');
      if (state.plansMade >= MAX_PLANS) {
        return end(
          'escalated',
          `the service kept changing under the incident; ${MAX_PLANS} plans made, a human takes over`,
        );
      }

      enter('gathering', 'gathering signals, deploy history and dependency health');
      state.evidence = await decide.gatherEvidence({
        service: input.service,
        ...(notBefore ? { notBefore } : {}),
      });
      for (const u of state.evidence.unknownDependencies ?? [])
        note(`dependency ${u.service} not diagnosed: ${u.reason}`);
      enter('diagnosing', 'diagnosing');
      const diagnosis = await decide.diagnoseIncident(state.evidence);
      state.diagnosis = diagnosis;
      upsertSearchAttributes([{ key: SA_FAILURE_CLASS, value: diagnosis.failureClass }]);
      note(`diagnosis: ${diagnosis.failureClass} — ${diagnosis.summary}`);
      if (abortion) return aborted();
      if (diagnosis.healthy) {
        if (state.plansMade > 0)
          return end('recovered', `the service recovered after an outside change: ${diagnosis.summary}`);
        if (allResolved(state)) return end('noise', 'the alerts resolved and the signals look healthy');
        return end(
          'escalated',
          `the alert fires but the signals look healthy (${diagnosis.summary}); a human should look`,
        );
      }
      if (
        diagnosis.failureClass === 'bad-release' &&
        diagnosis.suspectDeployedAt &&
        diagnosis.suspectDeployedAt > input.openedAt
      ) {
        return end(
          'escalated',
          `release ${diagnosis.suspectRelease} was deployed by ${diagnosis.suspectDeployedBy ?? 'someone'} during the incident; Homeostat does not undo a person's deploy`,
        );
      }

      enter('planning', 'choosing a playbook');
      const plan = await decide.planRemediation({ diagnosis, evidence: state.evidence });
      if (plan.playbook === null) return end('escalated', plan.reason);
      state.plansMade++;
      state.plan = plan;
      upsertSearchAttributes([{ key: SA_PLAYBOOK, value: plan.playbook }]);
      note(
        `plan ${state.plansMade}: ${plan.playbook} in ${plan.stages.length} stage(s); ${plan.approvalReason}`,
      );
      if (state.policy.dryRun)
        return end('escalated', `dry run: plan ${plan.playbook} recorded, not executed`);

      // An approval covers the plan it was given for; a new plan (the world changed) asks again.
      if (state.plansMade > 1 && patched('approval-per-plan')) approval = undefined;
      if (plan.requiresApproval && !approval) {
        const answer = await awaitApproval(plan.approvalReason, { endOnResolve: true });
        if (answer === 'aborted') return aborted();
        if (answer === 'timed-out')
          return end('escalated', `no approval within ${state.policy.approvalTimeoutSeconds}s`);
        if (answer === 'resolved')
          return end('noise', 'the alerts resolved while the plan waited for approval');
      }

      enter('remediating', `remediating with ${plan.playbook}`);
      const result = await remediate(plan);
      if (result === 'replan') {
        notBefore = new Date().toISOString();
        await sleep(`${plan.recovery.bakeSeconds} seconds`); // let the outside change show in the signals
        continue;
      }
      if (result !== 'done') return result;

      enter('verifying', `verifying ${input.service} recovered`);
      await bake(plan.recovery.bakeSeconds);
      if (abortion) {
        await compensate('aborted during final verification');
        return aborted();
      }
      const check = await verify({
        service: input.service,
        check: plan.recovery,
        since: lastActionAt,
        fastPath: state.fastPath,
      });
      note(`recovery check: ${check.detail}`);
      return check.healthy
        ? end('recovered', `${plan.playbook} worked: ${check.detail}`)
        : end('escalated', `every step verified but ${input.service} has not recovered: ${check.detail}`);
    }
  };

  let ending: Ending;
  try {
    ending = await lifecycle();
  } catch (err) {
    // Failures of the world (activities out of retries, cancellation) end the incident safely;
    // a bug in this code is rethrown so the workflow task retries and a fixed worker can resume it.
    if (isCancellation(err)) {
      abortion ??= { by: 'temporal', reason: 'the workflow was cancelled' };
      await compensate('cancelled');
      ending = aborted();
    } else if (err instanceof ActivityFailure || err instanceof ApplicationFailure) {
      await compensate('an activity failed');
      ending = end('escalated', `Homeostat could not continue: ${failureMessage(err)}`);
    } else {
      throw err;
    }
  }

  state.outcome = ending.outcome;
  state.conclusion = ending.conclusion;
  enter(ending.outcome, ending.conclusion);
  upsertSearchAttributes([{ key: SA_OUTCOME, value: ending.outcome }]);
  const closedAt = new Date().toISOString();
  const report: IncidentReport = {
    workflowId: info.workflowId,
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
  };
  if (permitsTaken) {
    // Only incidents that asked the governor (patch 'governor-permits') get here: old histories replay.
    const result = remediationResult(ending.outcome, state.steps, stoppedByGovernor);
    upsertSearchAttributes([{ key: SA_RESULT, value: result }]);
    await CancellationScope.nonCancellable(() =>
      decide.releasePermits({
        incidentId: `${info.workflowId}/${info.runId}`,
        services: [...new Set(state.steps.filter((s) => s.outcome).map((s) => s.action.service))],
        result,
        conclusion: ending.conclusion,
        limits: state.policy?.safety ?? DEFAULT_SAFETY_LIMITS,
      }),
    );
  }
  await CancellationScope.nonCancellable(() => decide.recordOutcome({ ...report, runId: info.runId }));
  return report;
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

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

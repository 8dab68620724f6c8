import { condition, patched, sleep } from '@temporalio/workflow';
import { DEFAULT_SAFETY_LIMITS } from '../../core/model/permits';
import type { PlannedStep } from '../../core/model/plan';
import { governor, reads } from './proxies';
import { continueFrom, continueSuggested, mayContinueAsNew } from './continuation';
import { approvalMoment, notify } from './notifications';
import { end, enter, noActionYet, type Ending, type IncidentRun } from './run';
import { allResolved } from './state';

/**
 * The waits of an incident: triage, bake times, the global pause, a human's approval and the governor's
 * permit. Each wait ends early on an abort.
 */

/**
 * Waits out the triage time (alerts of one failure gather before anyone acts). `until` is set when a
 * continued run resumes the wait.
 */
export async function triage(run: IncidentRun, until?: number): Promise<void> {
  const seconds = run.state.policy!.triageSeconds;
  if (seconds <= 0) return;
  const canContinue = mayContinueAsNew();
  const deadline = until ?? Date.now() + seconds * 1000;
  const timeout = until === undefined ? `${seconds} seconds` : Math.max(0, deadline - Date.now());
  await condition(() => Boolean(run.abortion) || (canContinue && continueSuggested()), timeout);
  if (canContinue && !run.abortion && continueSuggested() && Date.now() < deadline)
    await continueFrom(run, { wait: 'triage', until: new Date(deadline).toISOString() });
}

/** Waits out a bake time; an approver's fast path or an abort cuts it short (a few samples still needed). */
export async function bake(run: IncidentRun, seconds: number): Promise<void> {
  await condition(() => run.state.fastPath || Boolean(run.abortion), `${seconds} seconds`);
  if (run.state.fastPath && !run.abortion) await sleep(`${Math.min(seconds, 2)} seconds`);
}

/**
 * Waits while an operator has paused all automation (the governor's kill switch). Abort still works
 * meanwhile.
 */
export async function holdWhilePaused(run: IncidentRun): Promise<void> {
  if (!patched('governor-pause')) return;
  let pause = await reads.readPause();
  if (!pause) return;
  const resumeIn = run.state.phase;
  enter(run, 'paused', `automation is paused by ${pause.by} (${pause.reason}); waiting — abort still works`);
  notify(
    run,
    'paused',
    `paused/p${run.state.plansMade}/s${run.state.steps.length}`,
    `automation is paused by ${pause.by} (${pause.reason})`,
  );
  if (patched('pause-resume-signal')) {
    // The governor signals this incident on resume; the hourly re-check only guards against a lost
    // signal (a governor terminated by hand), so a weekend-long freeze adds a few events an hour.
    while (pause && !run.abortion) {
      run.resumed = false;
      pause = await governor.waitOutPause({ workflowId: run.workflowId });
      if (pause) await condition(() => run.resumed || Boolean(run.abortion), '1 hour');
    }
  } else {
    for (let wait = 5; pause && !run.abortion; wait = Math.min(wait * 2, 60)) {
      await condition(() => Boolean(run.abortion), `${wait} seconds`);
      if (!run.abortion) pause = await reads.readPause();
    }
  }
  if (!run.abortion) enter(run, resumeIn, 'automation resumed');
}

export type ApprovalAnswer = 'approved' | 'aborted' | 'timed-out' | 'resolved';

/**
 * Waits for an approver, an abort, or (with `endOnResolve`) every alert resolving, up to the policy's
 * approval timeout. With `continuable` (no step of the current plan has run), a long wait continues as
 * new when the server suggests it; `until` is the deadline a continued run resumes with.
 */
export async function awaitApproval(
  run: IncidentRun,
  why: string,
  opts: { endOnResolve: boolean; continuable?: boolean; until?: number },
): Promise<ApprovalAnswer> {
  const { state } = run;
  if (opts.until === undefined) {
    enter(run, 'awaiting-approval', `waiting for approval: ${why}`);
    notify(run, 'approval-needed', approvalMoment(run), why);
  }
  const canContinue = Boolean(opts.continuable) && mayContinueAsNew();
  const seconds = state.policy!.approvalTimeoutSeconds;
  const deadline = opts.until ?? Date.now() + seconds * 1000;
  const answered = (): boolean =>
    Boolean(run.approval) || Boolean(run.abortion) || (opts.endOnResolve && allResolved(state));
  await condition(
    () => answered() || (canContinue && continueSuggested()),
    opts.until === undefined ? `${seconds} seconds` : Math.max(0, deadline - Date.now()),
  );
  if (canContinue && !answered() && continueSuggested() && Date.now() < deadline)
    await continueFrom(run, { wait: 'approval', until: new Date(deadline).toISOString() });
  if (run.abortion) return 'aborted';
  if (run.approval) return 'approved';
  return opts.endOnResolve && allResolved(state) ? 'resolved' : 'timed-out';
}

/**
 * The governor's word on one step: granted; wait (a rate limit, the blast radius) and ask again, up to
 * the hold limit; or a human's approval first (the service's circuit breaker is open). Stopping here
 * leaves verified steps in place: they helped, only going further was not allowed.
 */
export async function obtainPermit(
  run: IncidentRun,
  step: PlannedStep,
  permitId: string,
): Promise<Ending | 'ok'> {
  if (!patched('governor-permits')) return 'ok';
  const { state } = run;
  const limits = state.policy?.safety ?? DEFAULT_SAFETY_LIMITS;
  const heldSince = Date.now();
  const handOver = (why: string): Ending => {
    run.stoppedByGovernor = true;
    const kept = state.steps.filter((s) => s.plan === state.plansMade && s.status === 'done').length;
    return end('escalated', kept > 0 ? `${why}; ${kept} verified step(s) left in place` : why);
  };
  let lastReason = '';
  let holds = 0; // numbers this step's hold notifications (one per new reason)
  for (;;) {
    const decision = await governor.requestPermit({
      permitId,
      incidentId: run.incidentRef,
      service: step.action.service,
      stepId: step.id,
      ...(run.approval ? { approvedBy: run.approval.by } : {}),
      limits,
    });
    if (decision.verdict === 'granted') {
      run.permitsTaken = true;
      if (lastReason) enter(run, 'remediating', `permit granted: ${decision.detail}`);
      return 'ok';
    }
    if (decision.verdict === 'needs-approval') {
      const answer = await awaitApproval(run, decision.reason, { endOnResolve: noActionYet(run) });
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
    if (decision.reason !== lastReason) {
      enter(
        run,
        'held',
        `held by the governor: ${decision.reason}; asking again in ${decision.retryAfterSeconds}s`,
      );
      holds++;
      notify(
        run,
        'held',
        `held/p${state.plansMade}/${step.id}/${holds}`,
        `held by the governor: ${decision.reason}`,
      );
    }
    lastReason = decision.reason;
    await condition(() => Boolean(run.abortion), `${Math.min(decision.retryAfterSeconds, 300)} seconds`);
    if (run.abortion) return 'ok';
  }
}

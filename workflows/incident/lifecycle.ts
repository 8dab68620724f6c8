import { patched, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { ContinuedIncident } from '../../core/model/incidentState';
import type { ResolvedPlan } from '../../core/model/plan';
import { SA_FAILURE_CLASS, SA_PLAYBOOK, SA_SERVICE, SA_SEVERITY } from '../searchAttributes';
import { gathering, reads } from './proxies';
import { compensate } from './compensation';
import { correlate } from './correlation';
import { awaitApproval, bake, triage } from './gates';
import { flapping, silenced } from './guards';
import { remediate, verify } from './remediation';
import { notify } from './notifications';
import { hasRestorableSteps, restoreAfterRecovery } from './restore';
import { aborted, end, enter, note, noActionYet, type Ending, type IncidentRun } from './run';
import { allResolved, summariseEvidence } from './state';

/** A plan may be redone this many times when the world changes under it, then a human takes over. */
const MAX_PLANS = 3;

/**
 * triage → gather → diagnose → plan → (approval) → remediate stage by stage → verify. Returns how the
 * incident ends; a continued run resumes at the wait it continued from.
 */
export async function lifecycle(run: IncidentRun, resumeAt?: ContinuedIncident['resumeAt']): Promise<Ending> {
  const { input, state } = run;
  let notBefore: string | undefined;
  if (!resumeAt) {
    upsertSearchAttributes([
      { key: SA_SERVICE, value: input.service },
      { key: SA_SEVERITY, value: input.severity },
    ]);
    note(run, `incident opened: ${input.title}`);
    notify(run, 'opened', 'opened', input.title);
    state.policy = await reads.loadPolicy();
  }
  if (!resumeAt || resumeAt.wait === 'triage') await triage(run, resumeAt && Date.parse(resumeAt.until));
  if (resumeAt?.wait === 'approval') {
    const result = await approveAndRemediate(run, state.plan!, Date.parse(resumeAt.until));
    if (result !== 'replan') return result;
    notBefore = new Date().toISOString();
    await sleep(`${state.plan!.recovery.bakeSeconds} seconds`);
  }
  for (;;) {
    if (run.abortion) return aborted(run);
    if (allResolved(state) && noActionYet(run))
      return end('noise', 'the alerts resolved before any action was taken');
    if (state.plansMade >= MAX_PLANS) {
      return end(
        'escalated',
        `the service kept changing under the incident; ${MAX_PLANS} plans made, a human takes over`,
      );
    }

    enter(run, 'gathering', 'gathering signals, deploy history and dependency health');
    const evidence = await gathering.gatherEvidence({
      service: input.service,
      ...(notBefore ? { notBefore } : {}),
    });
    state.evidence = summariseEvidence(evidence);
    for (const u of evidence.unknownDependencies ?? [])
      note(run, `dependency ${u.service} not diagnosed: ${u.reason}`);
    enter(run, 'diagnosing', 'diagnosing');
    const diagnosis = await reads.diagnoseIncident(evidence);
    state.diagnosis = diagnosis;
    upsertSearchAttributes([{ key: SA_FAILURE_CLASS, value: diagnosis.failureClass }]);
    note(run, `diagnosis: ${diagnosis.failureClass} — ${diagnosis.summary}`);
    if (run.abortion) return aborted(run);
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

    // An operator's silence stops here, before the incident claims the root (patched, guards.ts).
    const silence = await silenced(run, diagnosis);
    if (silence) return silence;
    // One incident per root cause: the first to claim the root acts, the others link to it (patched).
    const correlated = await correlate(run, diagnosis);
    if (correlated !== 'act') return correlated;
    // The same failure back soon after a recovery waits, then looks again; too often, a human decides.
    const flap = await flapping(run, diagnosis);
    if (flap === 'look-again') continue;
    if (flap !== 'act') return flap;

    enter(run, 'planning', 'choosing a playbook');
    // Planning needs the root service's topology only: the evidence is not copied into history again.
    const plan = await reads.planRemediation({
      diagnosis,
      evidence: planningEvidence(evidence, diagnosis.rootService),
    });
    if (plan.playbook === null) return end('escalated', plan.reason);
    state.plansMade++;
    state.plan = plan;
    upsertSearchAttributes([{ key: SA_PLAYBOOK, value: plan.playbook }]);
    note(
      run,
      `plan ${state.plansMade}: ${plan.playbook} in ${plan.stages.length} stage(s); ${plan.approvalReason}`,
    );
    if (state.policy!.dryRun)
      return end('escalated', `dry run: plan ${plan.playbook} recorded, not executed`);

    const result = await approveAndRemediate(run, plan);
    if (result !== 'replan') return result;
    notBefore = new Date().toISOString();
    await sleep(`${plan.recovery.bakeSeconds} seconds`); // let the outside change show in the signals
  }
}

/** The evidence planning reads: the root service's topology, without any series. */
function planningEvidence<E extends { services: Array<{ service: string; series: unknown[] }> }>(
  evidence: E,
  rootService: string,
): E {
  return {
    ...evidence,
    services: evidence.services
      .filter((s) => s.service === rootService)
      .map((s) => ({ ...s, series: [], deployments: [] })),
  };
}

/**
 * Approval when the plan needs one (an approval covers the plan it was given for; a re-plan asks again),
 * then the staged remediation and the final recovery check. `approvalUntil`: a continued run resumes
 * its approval wait with this deadline.
 */
async function approveAndRemediate(
  run: IncidentRun,
  plan: ResolvedPlan,
  approvalUntil?: number,
): Promise<Ending | 'replan'> {
  const { input, state } = run;
  const policy = state.policy!;
  if (approvalUntil === undefined && state.plansMade > 1 && patched('approval-per-plan'))
    run.approval = undefined;
  if (plan.requiresApproval && !run.approval) {
    const answer = await awaitApproval(run, plan.approvalReason, {
      endOnResolve: true,
      continuable: true,
      ...(approvalUntil !== undefined ? { until: approvalUntil } : {}),
    });
    if (answer === 'aborted') return aborted(run);
    if (answer === 'timed-out')
      return end('escalated', `no approval within ${policy.approvalTimeoutSeconds}s`);
    if (answer === 'resolved') return end('noise', 'the alerts resolved while the plan waited for approval');
  }

  enter(run, 'remediating', `remediating with ${plan.playbook}`);
  const result = await remediate(run, plan);
  if (result === 'replan') return 'replan';
  if (result !== 'done') return result;

  enter(run, 'verifying', `verifying ${input.service} recovered`);
  await bake(run, plan.recovery.bakeSeconds);
  if (run.abortion) {
    await compensate(run, 'aborted during final verification');
    return aborted(run);
  }
  const check = await verify(run, {
    service: input.service,
    check: plan.recovery,
    since: run.lastActionAt,
    fastPath: state.fastPath,
  });
  note(run, `recovery check: ${check.detail}`);
  if (!check.healthy)
    return end('escalated', `every step verified but ${input.service} has not recovered: ${check.detail}`);
  // Steps marked restoreAfter (a scale-out) are undone once their metric settles (added after histories
  // were recorded, hence the patch; asked only when there is such a step).
  if (hasRestorableSteps(run, plan) && patched('restore-after-recovery')) {
    const restored = await restoreAfterRecovery(run, plan);
    return end('recovered', [`${plan.playbook} worked: ${check.detail}`, ...restored].join('; '));
  }
  return end('recovered', `${plan.playbook} worked: ${check.detail}`);
}

import { condition, patched, sleep, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { Diagnosis } from '../../core/model/diagnosis';
import type { Correlation } from '../../core/model/incidentState';
import type { LinkedVictim, RootClosed } from '../governorRoots';
import type { VerifyCheck } from '../../core/model/plan';
import { SA_ROOT_INCIDENT } from '../searchAttributes';
import { governor } from './proxies';
import { verify } from './remediation';
import { aborted, end, enter, note, type Ending, type IncidentRun } from './run';

/**
 * Cross-service correlation, the incident's side. After diagnosis the incident claims the root service
 * at the governor (workflows/governorRoots.ts). The first claimant owns the root and goes on to plan and
 * act; any other incident whose diagnosis reaches the same root links to the owner as a victim and
 * takes no action: its service fails because of the root, and remediating it for its dependency's
 * failure would at best do nothing and at worst add a second change during an outage.
 *
 * A victim then waits for the owner to end and checks its own service: its alert deserves an answer
 * about its own service (recovered with the root, or still failing for a reason of its own → a human),
 * not just "see the other incident". Why not end at once as `linked`: a victim that closed at once
 * would leave its still-firing alert with no open incident, and the next delivery would open a new
 * one that links again.
 */

/** A victim waits this long for its root incident to end (an approval may take a while), then escalates. */
export const MAX_LINK_WAIT_SECONDS = 4 * 60 * 60;
/** A victim's own recovery check once its root incident ended: its service's error ratio. */
export const VICTIM_RECOVERY: VerifyCheck = {
  metric: 'error_ratio',
  max: 0.05,
  bakeSeconds: 5,
  windowSeconds: 8,
  scope: 'service',
};

/** The correlation in the memo: the Temporal UI shows it and `homeostat` reads it without a worker. */
export function correlationMemo(c: Correlation): Record<string, unknown> {
  return {
    role: c.role,
    rootService: c.rootService,
    rootIncident: c.rootIncident,
    victims: c.victims.map((v) => `${v.workflowId} (${v.service})`),
    ...(c.rootOutcome ? { rootOutcome: c.rootOutcome.outcome } : {}),
  };
}

/** Records a victim that linked to this (root) incident; called from the governor's signal. */
export function addVictim(run: IncidentRun, victim: LinkedVictim): void {
  const c = run.state.correlation;
  if (!c) {
    run.early.victims.push(victim);
    return;
  }
  if (c.role !== 'root' || c.victims.some((v) => v.workflowId === victim.workflowId)) return;
  c.victims = [...c.victims, victim].slice(-50);
  upsertMemo({ correlation: correlationMemo(c) });
  note(
    run,
    `${victim.workflowId} (${victim.service}) linked as a victim of this incident's root cause ${c.rootService}`,
  );
}

/** A victim hears that its root incident ended; called from the governor's signal. */
export function rootClosed(run: IncidentRun, closed: RootClosed): void {
  const c = run.state.correlation;
  if (!c) {
    run.early.closed.push(closed);
    return;
  }
  if (c.role !== 'victim' || c.rootIncident !== closed.workflowId || c.rootOutcome) return;
  c.rootOutcome = { outcome: closed.outcome, conclusion: closed.conclusion, at: new Date().toISOString() };
  upsertMemo({ correlation: correlationMemo(c) });
  note(run, `${closed.workflowId} (root cause ${closed.rootService}) ended ${closed.outcome}`);
}

/** Applies the correlation signals that arrived before the incident knew its role. */
function applyEarly(run: IncidentRun): void {
  const { victims, closed } = run.early;
  run.early = { victims: [], closed: [] };
  for (const v of victims) addVictim(run, v);
  for (const c of closed) rootClosed(run, c);
}

/**
 * Claims the diagnosis's root. Returns 'act' when this incident owns it (or in histories from before
 * correlation), else how the victim ended.
 */
export async function correlate(run: IncidentRun, diagnosis: Diagnosis): Promise<'act' | Ending> {
  if (!patched('root-correlation')) return 'act';
  const { state, input } = run;
  const answer = await governor.claimRoot({
    root: diagnosis.rootService,
    workflowId: run.workflowId,
    service: input.service,
    failureClass: diagnosis.failureClass,
  });
  const before = state.correlation;
  if (answer.role === 'root') {
    state.correlation = {
      role: 'root',
      rootService: answer.rootService,
      rootIncident: run.workflowId,
      victims: before?.role === 'root' ? before.victims : [],
    };
    upsertSearchAttributes([{ key: SA_ROOT_INCIDENT, value: run.workflowId }]);
    upsertMemo({ correlation: correlationMemo(state.correlation) });
    if (!before) note(run, `owns the root cause ${answer.rootService}: incidents that reach it link here`);
    applyEarly(run);
    return 'act';
  }
  state.correlation = {
    role: 'victim',
    rootService: answer.rootService,
    rootIncident: answer.rootIncident,
    victims: [],
  };
  upsertSearchAttributes([{ key: SA_ROOT_INCIDENT, value: answer.rootIncident }]);
  upsertMemo({ correlation: correlationMemo(state.correlation) });
  enter(
    run,
    'linked',
    `linked to ${answer.rootIncident} (${answer.rootIncidentService}), which owns the root cause ${answer.rootService}: ` +
      `${input.service} takes no action and waits for it to end`,
  );
  applyEarly(run);
  return await awaitRoot(run, state.correlation);
}

/** A victim: waits for its root incident to end, then judges its own service. */
async function awaitRoot(run: IncidentRun, link: Correlation): Promise<Ending> {
  const { input } = run;
  const ended = await condition(
    () => Boolean(link.rootOutcome) || Boolean(run.abortion),
    `${MAX_LINK_WAIT_SECONDS} seconds`,
  );
  if (run.abortion) return aborted(run);
  if (!ended || !link.rootOutcome)
    return end(
      'escalated',
      `${link.rootIncident}, which owns the root cause ${link.rootService}, is still open after ${MAX_LINK_WAIT_SECONDS}s; a human looks at both`,
    );
  const root = link.rootOutcome;
  enter(run, 'verifying', `${link.rootIncident} ended ${root.outcome}; checking ${input.service} itself`);
  await sleep(`${VICTIM_RECOVERY.bakeSeconds} seconds`);
  const check = await verify(run, {
    service: input.service,
    check: VICTIM_RECOVERY,
    since: root.at,
    fastPath: false,
  });
  note(run, `own recovery check: ${check.detail}`);
  const because = `root cause ${link.rootService}, handled by ${link.rootIncident} (${root.outcome}: ${root.conclusion.slice(0, 200)})`;
  return check.healthy
    ? end(
        'recovered',
        `${input.service} recovered with its ${because}; no action taken here: ${check.detail}`,
      )
    : end(
        'escalated',
        `${input.service} has not recovered after its ${because}; no action taken here: ${check.detail}`,
      );
}

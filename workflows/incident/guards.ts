import { condition, patched } from '@temporalio/workflow';
import type { Diagnosis } from '../../core/model/diagnosis';
import { flappingKey, flappingLimits } from '../../core/model/flapping';
import { silencedConclusion } from '../../core/model/silence';
import { governor } from './proxies';
import { aborted, end, enter, note, type Ending, type IncidentRun } from './run';

/**
 * Two guards between diagnosis and planning, both asked of the governor and both added after histories
 * were recorded (patch 'silences-and-flapping'):
 * - a silence an operator set on the service (or the root service), optionally for one failure class,
 *   ends the incident (escalated: a human owns the service for now): it opened and diagnosed, and took
 *   no action;
 * - flapping protection: the same failure (root service + class) back soon after a recovery waits
 *   (1, 2, 4, 8 min by default) and looks again, and past the limit goes to a human.
 */
const PATCH = 'silences-and-flapping';

/** Ends the incident if a silence covers it: checked after diagnosis, which names the failure class. */
export async function silenced(run: IncidentRun, diagnosis: Diagnosis): Promise<Ending | undefined> {
  if (!patched(PATCH)) return undefined;
  const services = [...new Set([run.input.service, diagnosis.rootService])];
  const silence = await governor.findSilence({ services, failureClass: diagnosis.failureClass });
  if (!silence) return undefined;
  // Escalated, not a new outcome: a human owns the service for now, and every consumer of outcomes
  // (search attributes, metrics, notifications) already knows what escalated means.
  return end('escalated', silencedConclusion(silence));
}

/** Failures this incident already backed off for (a later look at the same failure acts). */
const WAITED_KEPT = 10;

/**
 * Flapping protection for the incident that is about to act on its root. `act`: go on and plan;
 * `look-again`: it waited out a back-off, and the caller gathers and diagnoses again (the failure may
 * have cleared); an Ending: it returned too often (a human decides) or someone aborted the wait.
 */
export async function flapping(
  run: IncidentRun,
  diagnosis: Diagnosis,
): Promise<Ending | 'act' | 'look-again'> {
  if (!patched(PATCH)) return 'act';
  const { state } = run;
  const key = flappingKey(diagnosis.rootService, diagnosis.failureClass);
  const waited = state.flappingWaited ?? [];
  if (waited.includes(key)) return 'act';
  const decision = await governor.checkFlapping({
    askId: `${run.incidentRef}/flapping/${key}`,
    incidentId: run.incidentRef,
    rootService: diagnosis.rootService,
    failureClass: diagnosis.failureClass,
    limits: flappingLimits(state.policy?.safety),
  });
  if (decision.verdict === 'go') return 'act';
  if (decision.verdict === 'escalate') return end('escalated', decision.reason);
  state.flappingWaited = [...waited, key].slice(-WAITED_KEPT);
  enter(run, 'held', `${decision.reason} — abort still works`);
  await condition(() => Boolean(run.abortion), `${decision.seconds} seconds`);
  if (run.abortion) return aborted(run);
  note(run, `backed off ${decision.seconds} s; looking at ${run.input.service} again`);
  return 'look-again';
}

import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { IncidentInput } from '../../core/model/incident';
import type { ContinuedIncident, IncidentReport } from '../../core/model/incidentState';
import { close } from './closing';
import { compensate } from './compensation';
import { registerHandlers } from './handlers';
import { lifecycle } from './lifecycle';
import { aborted, createRun, end, failureMessage, type Ending } from './run';

/**
 * One incident, from its first alert to a verified recovery or a hand-over to a human.
 * triage → gather → diagnose → plan → (approval) → remediate stage by stage (verify each step;
 * compensate completed steps in reverse on failure or abort) → verify → recovered | escalated | aborted | noise.
 *
 * `continued` is set only by the incident itself when it continues as new (see continuation.ts).
 */
export async function incidentWorkflow(
  input: IncidentInput,
  continued?: ContinuedIncident,
): Promise<IncidentReport> {
  const run = createRun(input, continued);
  registerHandlers(run);

  let ending: Ending;
  try {
    ending = await lifecycle(run, continued?.resumeAt);
  } catch (err) {
    // Failures of the world (activities out of retries, cancellation) end the incident safely;
    // a bug in this code is rethrown so the workflow task retries and a fixed worker can resume it.
    if (isCancellation(err)) {
      run.abortion ??= { by: 'temporal', reason: 'the workflow was cancelled' };
      await compensate(run, 'cancelled');
      ending = aborted(run);
    } else if (err instanceof ActivityFailure || err instanceof ApplicationFailure) {
      await compensate(run, 'an activity failed');
      ending = end('escalated', `Homeostat could not continue: ${failureMessage(err)}`);
    } else {
      throw err;
    }
  }
  return await close(run, ending);
}

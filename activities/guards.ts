import { activityInfo } from '@temporalio/activity';
import { readGovernor, updateGovernor } from '../client/governor';
import type { FlappingAsk, FlappingDecision } from '../core/model/flapping';
import { findSilence, type Silence } from '../core/model/silence';
import { flappingUpdate } from '../workflows/governorApi';
import type { ActivityDeps } from './deps';

/**
 * The guards an incident passes after diagnosis and before it plans: an operator's silence, and
 * flapping protection. Both ask the governor of the worker's task queue.
 */
export function guardActivities(deps: ActivityDeps) {
  return {
    /**
     * The active silence covering one of `services` for this failure class, or null. A read: no
     * governor yet (nobody ever silenced, paused or acted) means no silence.
     */
    async findSilence(req: { services: string[]; failureClass: string }): Promise<Silence | null> {
      if (!deps.client) return null;
      const governor = await readGovernor(deps.client, activityInfo().taskQueue);
      return findSilence(governor?.silences, req.services, req.failureClass, Date.now()) ?? null;
    },

    /** Whether the failure keeps returning after recoveries; the governor answers an ask id once. */
    async checkFlapping(ask: FlappingAsk): Promise<FlappingDecision> {
      if (!deps.client) throw new Error('this worker has no Temporal client for the governor');
      return await updateGovernor(deps.client, activityInfo().taskQueue, flappingUpdate, ask, ask.askId);
    },
  };
}

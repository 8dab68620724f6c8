import type { Client } from '@temporalio/client';
import { activityInfo } from '@temporalio/activity';
import { readGovernor, updateGovernor } from '../client/governor';
import type { Pause } from '../core/model/governor';
import type { PermitDecision, PermitRelease, PermitRequest } from '../core/model/permits';
import {
  claimRootUpdate,
  releasePermitsUpdate,
  releaseRootsUpdate,
  requestPermitUpdate,
  waitOutPauseUpdate,
} from '../workflows/governorApi';
import type { RootClaim, RootClaimAnswer, RootClosed } from '../workflows/governorRoots';
import type { ActivityDeps } from './deps';

function requireClient(deps: ActivityDeps): Client {
  // A worker always has one; the guard keeps a mis-wired worker from acting without limits.
  if (!deps.client) throw new Error('this worker has no Temporal client for the governor');
  return deps.client;
}

export function governorActivities(deps: ActivityDeps) {
  return {
    /** The global pause, if set. No governor yet (nobody ever paused) means not paused. */
    async readPause(): Promise<Pause | null> {
      if (!deps.client) return null;
      return (await readGovernor(deps.client, activityInfo().taskQueue))?.paused ?? null;
    },

    /**
     * The pause, if set, with the incident registered to be signalled when it ends (one step, so a
     * resume between the read and the registration cannot be missed). Starts the governor if needed.
     */
    async waitOutPause(req: { workflowId: string }): Promise<Pause | null> {
      return await updateGovernor(requireClient(deps), activityInfo().taskQueue, waitOutPauseUpdate, req);
    },

    /**
     * Asks the governor for a permit to run one step. No update id: a "wait" answer must not be
     * replayed to the next ask; the governor itself counts a permit id once (a retry after a grant).
     */
    async requestPermit(req: PermitRequest): Promise<PermitDecision> {
      return await updateGovernor(requireClient(deps), activityInfo().taskQueue, requestPermitUpdate, req);
    },

    /**
     * Claims the diagnosis's root service for the incident, or learns which incident owns it (the
     * incident then links to it as a victim). Idempotent: a retry after a lost answer gets the same one.
     */
    async claimRoot(claim: RootClaim): Promise<RootClaimAnswer> {
      return await updateGovernor(requireClient(deps), activityInfo().taskQueue, claimRootUpdate, claim);
    },

    /** Frees the roots a closing incident owns; the governor tells its victims how it ended. */
    async releaseRoots(closed: Omit<RootClosed, 'rootService'>): Promise<void> {
      await updateGovernor(
        requireClient(deps),
        activityInfo().taskQueue,
        releaseRootsUpdate,
        closed,
        `${closed.workflowId}/release-roots`,
      );
    },

    /** Frees the incident's blast-radius lease and reports how its remediation ended (the breaker). */
    async releasePermits(rel: PermitRelease): Promise<void> {
      await updateGovernor(
        requireClient(deps),
        activityInfo().taskQueue,
        releasePermitsUpdate,
        rel,
        `${rel.incidentId}/release`,
      );
    },
  };
}

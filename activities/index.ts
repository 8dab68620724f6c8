import { actActivities } from './act';
import { decideActivities } from './decide';
import type { ActivityDeps } from './deps';
import { gatherActivities } from './gather';
import { governorActivities } from './governor';
import { recordActivities } from './record';
import { probeWorker } from './selfCheck';
import { verifyActivities } from './verify';

export type { ActivityDeps } from './deps';

/** The activities the Homeostat worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    probeWorker,
    ...gatherActivities(deps),
    ...decideActivities(deps),
    ...actActivities(deps),
    ...verifyActivities(deps),
    ...recordActivities(deps),
    ...governorActivities(deps),
  };
}

export type HomeostatActivities = ReturnType<typeof createActivities>;

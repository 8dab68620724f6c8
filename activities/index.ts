import { actActivities } from './act';
import { decideActivities } from './decide';
import { detectActivities } from './detect';
import type { ActivityDeps } from './deps';
import { gatherActivities } from './gather';
import { governorActivities } from './governor';
import { guardActivities } from './guards';
import { withLiveness } from './liveness';
import { notifyActivities } from './notify';
import { recordActivities } from './record';
import { probeWorker } from './selfCheck';
import { verifyActivities } from './verify';

export type { ActivityDeps } from './deps';

/**
 * Activities on a heartbeat ticker wherever their proxy sets a heartbeat timeout (liveness.ts): reads,
 * gathering, the governor's, the outcome's copy. Not the actions, which heartbeat with their progress.
 */
function live<T extends object>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      (...args: unknown[]) => withLiveness(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args)),
    ]),
  ) as T;
}

/** The activities the Homeostat worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    probeWorker,
    ...live(gatherActivities(deps)),
    ...live(decideActivities(deps)),
    ...actActivities(deps),
    ...live(verifyActivities(deps)),
    ...live(recordActivities(deps)),
    ...live(governorActivities(deps)),
    ...live(guardActivities(deps)),
    ...live(detectActivities(deps)),
    ...live(notifyActivities(deps)),
  };
}

export type HomeostatActivities = ReturnType<typeof createActivities>;

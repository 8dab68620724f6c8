import { probeWorker } from './selfCheck';

/** The activities the Homeostat worker registers. Later issues add dependencies (providers, config) here. */
export function createActivities() {
  return { probeWorker };
}

export type HomeostatActivities = ReturnType<typeof createActivities>;

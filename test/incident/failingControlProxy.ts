import { startControlProxy } from '../fleet/controlProxy';

/**
 * The fleet's control API behind a proxy that answers 503 to the actions `refuse` picks: the fleet looks
 * unavailable for one action only, the way a control plane fails for one kind of change, so that
 * action's retries run out while the rest of the incident (its reads, the other steps, the undo) goes
 * through.
 */
export interface FailingControlProxy {
  url: string;
  /** How many requests were refused, per action id. */
  refused: Map<string, number>;
  close(): Promise<void>;
}

export async function startFailingControlProxy(
  target: string,
  refuse: (actionId: string) => boolean,
): Promise<FailingControlProxy> {
  const refused = new Map<string, number>();
  const proxy = await startControlProxy(target, (actionId) => {
    if (!refuse(actionId)) return undefined;
    refused.set(actionId, (refused.get(actionId) ?? 0) + 1);
    return { status: 503, error: 'injected by the test: the control plane is unavailable' };
  });
  return { ...proxy, refused };
}

import { startControlProxy } from '../fleet/controlProxy';

/**
 * The fleet's control API behind a proxy that holds the first POST whose action id `hold` picks until
 * the test lets it go, and forwards everything else unchanged. A held action is one whose activity is
 * running on the worker (its request has arrived) and cannot finish yet: the moment to stop that worker
 * and see what its shutdown does with an action in flight.
 */
export interface HoldingProxy {
  url: string;
  /** Resolves with the action id once a request to hold has arrived. */
  arrived: Promise<string>;
  /** Forwards the held request (and every later one) to the fleet. */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(
  target: string,
  hold: (actionId: string) => boolean,
): Promise<HoldingProxy> {
  let released = false;
  let onRelease: () => void = () => undefined;
  const gate = new Promise<void>((r) => (onRelease = r));
  let onArrived: (actionId: string) => void = () => undefined;
  const arrived = new Promise<string>((r) => (onArrived = r));
  const proxy = await startControlProxy(target, async (actionId) => {
    if (released || !hold(actionId)) return undefined;
    onArrived(actionId);
    await gate;
    return undefined;
  });
  return {
    ...proxy,
    arrived,
    release: () => {
      released = true;
      onRelease();
    },
  };
}

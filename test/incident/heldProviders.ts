import type { ActionOutcome } from '../../core/model/signals';
import type { Providers } from '../../providers/types';

/** One held release deploy: `reached` resolves once the fleet applied it; `release()` lets it report. */
export interface Hold {
  reached: Promise<void>;
  release(): void;
}

/**
 * The fleet's providers, with the first setRelease whose action id ends with each of `suffixes` held
 * after the fleet applied it: the activity stays in flight (heartbeating, cancellable) until the test
 * releases it. Tests hold an action or an undo there while they crash the server under it.
 */
export function holdReleasesAfterApply(
  providers: Providers,
  suffixes: string[],
): { providers: Providers; holds: Record<string, Hold> } {
  const holds: Record<string, Hold & { reachedNow(): void; released: Promise<void>; used: boolean }> = {};
  for (const suffix of suffixes) {
    let reachedNow!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (reachedNow = r));
    const released = new Promise<void>((r) => (release = r));
    holds[suffix] = { reached, reachedNow, release, released, used: false };
  }
  const { remediation } = providers;
  return {
    holds,
    providers: {
      ...providers,
      remediation: {
        describe: (service) => remediation.describe(service),
        setRelease: async (req): Promise<ActionOutcome> => {
          const outcome = await remediation.setRelease(req);
          const hold = Object.entries(holds).find(
            ([suffix, h]) => !h.used && req.actionId.endsWith(suffix),
          )?.[1];
          if (hold) {
            hold.used = true;
            hold.reachedNow();
            // Waits for the test, or for the activity's cancellation (a worker shutting down).
            await new Promise<void>((resolve) => {
              void hold.released.then(resolve);
              req.signal?.addEventListener('abort', () => resolve(), { once: true });
            });
          }
          return outcome;
        },
        restart: (req) => remediation.restart(req),
        setWeights: (req) => remediation.setWeights(req),
        scale: (req) => remediation.scale(req),
        clearCache: (req) => remediation.clearCache(req),
        replayDeadLetters: (req) => remediation.replayDeadLetters(req),
      },
    },
  };
}

import { existsSync, writeFileSync } from 'node:fs';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/**
 * Where a crash worker (crashWorkerMain.ts) stops, so a test can SIGKILL it (or the server under it) at a
 * known point inside an activity instead of racing a timer:
 * - `before`: the activity is started (the server sees it running) but has done nothing yet;
 * - `during`: its work is under way in the background and will never be reported;
 * - `after`: its work is done (the side effect happened) but the result is not reported.
 * The worker announces the stop by writing `marker`, then hangs: until killed, or with `resumeWhen`
 * ('after' only) until that file exists, heartbeating meanwhile, when it reports the result after all.
 */
export interface CrashAt {
  activity: string;
  when: 'before' | 'during' | 'after';
  /** Only an execution whose JSON arguments contain this (e.g. a step id). */
  match?: string;
  marker: string;
  resumeWhen?: string;
}

export const CRASH_AT_ENV = 'HOMEOSTAT_TEST_CRASH_AT';
/** A prebuilt workflow bundle for the crash worker (the one Jest's global setup built). */
export const WORKFLOW_BUNDLE_ENV = 'HOMEOSTAT_TEST_WORKFLOW_BUNDLE';

const never = (): Promise<never> => new Promise<never>(() => undefined);

const fileExists = async (file: string): Promise<void> => {
  while (!existsSync(file)) await new Promise((r) => setTimeout(r, 50));
};

/** The activity interceptor of a crash worker: stops once at the first execution matching each point. */
export function crashAtInterceptor(points: CrashAt[]): (ctx: Context) => ActivityInterceptors {
  const stopped = new Set<CrashAt>();
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const at = points.find(
          (p) =>
            !stopped.has(p) &&
            ctx.info.activityType === p.activity &&
            (!p.match || JSON.stringify(input.args).includes(p.match)),
        );
        if (!at) return await next(input);
        stopped.add(at);
        const announce = (): void =>
          writeFileSync(
            at.marker,
            JSON.stringify({ activity: at.activity, attempt: ctx.info.attempt, when: at.when }),
          );
        if (at.when === 'after') {
          const result = await next(input);
          announce();
          if (!at.resumeWhen) return await never();
          // Alive meanwhile (heartbeats): only the report waits, the attempt is not lost.
          const beat = setInterval(() => ctx.heartbeat(), 1_000);
          await fileExists(at.resumeWhen).finally(() => clearInterval(beat));
          return result;
        }
        // 'during': the work goes on in the background; whatever it returns is never reported.
        if (at.when === 'during') next(input).catch(() => undefined);
        announce();
        return await never();
      },
    },
  });
}

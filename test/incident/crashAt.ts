import { writeFileSync } from 'node:fs';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/**
 * Where a crash worker (crashWorkerMain.ts) stops, so a test can SIGKILL it at a known point inside an
 * activity instead of racing a timer:
 * - `before`: the activity is started (the server sees it running) but has done nothing yet;
 * - `during`: its work is under way in the background and will never be reported;
 * - `after`: its work is done (the side effect happened) but the result is never reported.
 * The worker announces the stop by writing `marker` and then hangs; only a kill ends it.
 */
export interface CrashAt {
  activity: string;
  when: 'before' | 'during' | 'after';
  /** Only an execution whose JSON arguments contain this (e.g. a step id). */
  match?: string;
  marker: string;
}

export const CRASH_AT_ENV = 'HOMEOSTAT_TEST_CRASH_AT';

const never = (): Promise<never> => new Promise<never>(() => undefined);

/** The activity interceptor of a crash worker: stops at the first execution that matches `at`. */
export function crashAtInterceptor(at: CrashAt): (ctx: Context) => ActivityInterceptors {
  let stopped = false;
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const hit =
          !stopped &&
          ctx.info.activityType === at.activity &&
          (!at.match || JSON.stringify(input.args).includes(at.match));
        if (!hit) return await next(input);
        stopped = true;
        const announce = (): void =>
          writeFileSync(
            at.marker,
            JSON.stringify({ activity: at.activity, attempt: ctx.info.attempt, when: at.when }),
          );
        if (at.when === 'after') await next(input);
        // 'during': the work goes on in the background; whatever it returns is never reported.
        if (at.when === 'during') next(input).catch(() => undefined);
        announce();
        return await never();
      },
    },
  });
}

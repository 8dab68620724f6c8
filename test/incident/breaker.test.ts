import type { IncidentReport } from '../../core/model/incidentState';
import { DEFAULT_SAFETY_LIMITS } from '../../core/model/permits';
import { abortUpdate } from '../../workflows/api';
import { withWorker } from '../harness/env';
import { badCheckout, corruptCheckoutCaches, governorState, resetCheckout } from './failureHarness';
import {
  actionPrefix,
  firingAlert,
  incidentDeps,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from './harness';

/**
 * The governor's circuit breaker opened by incidents that really failed (their canary did not verify
 * and was undone), with the default breaker limits; then the next incident asks a human. A file of its
 * own: checkout errs through most of it (see failureHarness.ts).
 */
describe('incident: the circuit breaker', () => {
  const fleet = useFleet();

  it('failed remediations open the breaker of the service, and the next incident asks a human', async () => {
    const failures = DEFAULT_SAFETY_LIMITS.breakerFailures;
    await withWorker(
      async ({ client, taskQueue }) => {
        for (let n = 1; n <= failures; n++) {
          await badCheckout(fleet());
          const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
          await waitForState(handle, `incident ${n}: the canary baking`, (s) =>
            s.steps.some((st) => st.stage === 'canary' && st.status === 'verifying'),
          );
          await corruptCheckoutCaches(fleet());
          const report = (await handle.result()) as IncidentReport;
          expect(report.outcome).toBe('escalated');
          expect(report.conclusion).toMatch(/^canary\.rollback-canary did not verify/);
          expect(report.steps.map((s) => s.status)).toEqual(['compensated']);
          // Calm between the failures, so the next bad release stands out from checkout's baseline.
          await resetCheckout(fleet());
        }
        const breaker = (await governorState(client, taskQueue)).permits?.breakers.checkout;
        expect(breaker?.failures).toHaveLength(failures);
        expect(breaker?.lastConclusion).toMatch(/canary\.rollback-canary did not verify/);

        await badCheckout(fleet());
        const next = await openIncident(client, taskQueue, firingAlert('checkout'));
        const waiting = await waitForState(next, 'asking a human', (s) => s.phase === 'awaiting-approval');
        expect(waiting.timeline.at(-1)?.event).toMatch(
          new RegExp(`circuit breaker of checkout is open: ${failures} remediation`),
        );
        expect(await ledger(fleet(), actionPrefix(next))).toEqual([]);
        await next.executeUpdate(abortUpdate, { args: [{ by: 'alice', reason: 'looking at it by hand' }] });
        expect(((await next.result()) as IncidentReport).outcome).toBe('aborted');
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );
  }, 240_000);
});

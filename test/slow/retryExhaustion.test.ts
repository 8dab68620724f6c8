import type { IncidentReport } from '../../core/model/incidentState';
import { createLocalFleetProviders } from '../../providers/local';
import { withWorker } from '../harness/env';
import { startFailingControlProxy } from '../incident/failingControlProxy';
import { actionAttempts, badCheckout, checkoutReleases } from '../incident/failureHarness';
import { actionPrefix, firingAlert, incidentDeps, ledger, openIncident, useFleet } from '../incident/harness';

/**
 * An action whose retries run out, on the real server and fleet. A file of its own: checkout errs for
 * the ~90 s the retry policy's backoff takes, which would hide the next test's bad release.
 */
describe('incident: an action out of retries', () => {
  const fleet = useFleet();

  it('fails its step after the last attempt; the verified canary is undone', async () => {
    const bad = await badCheckout(fleet());
    // The control plane refuses the fleet stage's rollback every time (503, which the provider reports
    // as retryable); everything else reaches the fleet.
    const proxy = await startFailingControlProxy(fleet().fleet.controlUrl, (id) =>
      id.endsWith('/fleet.rollback-rest'),
    );
    // Polls every 250 ms (the provider's default is 500 ms, which the worker process of
    // test/slow/productionDefaults.test.ts uses).
    const providers = createLocalFleetProviders({ controlUrl: proxy.url, pollMs: 250 });
    try {
      const { report, prefix, attempts } = await withWorker(
        async ({ client, taskQueue }) => {
          const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
          const report = (await handle.result()) as IncidentReport;
          return { report, prefix: actionPrefix(handle), attempts: await actionAttempts(handle) };
        },
        { deps: incidentDeps(fleet(), { providers }) },
      );

      expect(report.outcome).toBe('escalated');
      expect(report.conclusion).toMatch(
        /^step fleet\.rollback-rest failed: .*503.*control plane is unavailable/,
      );
      expect(report.steps.map((s) => [s.stepId, s.status])).toEqual([
        ['canary.rollback-canary', 'compensated'],
        ['fleet.rollback-rest', 'failed'],
      ]);
      // The action was tried until its retry policy ran out, each attempt refused once by the proxy.
      expect(attempts).toHaveLength(2);
      expect(attempts[0]).toBe(1);
      expect(attempts[1]).toBeGreaterThan(1);
      expect(proxy.refused.get(report.steps[1]!.actionId)).toBe(attempts[1]);
      // The fleet never saw the refused action; the canary was undone; every target is back on `bad`.
      expect((await ledger(fleet(), prefix)).map((e) => e.id.replace(/^.*\/p1\//, ''))).toEqual([
        'canary.rollback-canary',
        'canary.rollback-canary/undo0',
      ]);
      expect(new Set(await checkoutReleases(fleet()))).toEqual(new Set([bad]));
    } finally {
      await proxy.close();
    }
    // The retry policy's backoff (1 s doubling to 30 s, 8 attempts) takes about 90 s by itself.
  }, 240_000);
});

import { actionId, callControl, injectFleetFault, useTestFleet, waitForMetric } from './fleetHarness';

/** Faults in a service's cache and job queue, healed by clearCache, replayDeadLetters and scale. */
const test = useTestFleet({}, (t) => waitForMetric(t.providers, 'web', 'request_rate', (v) => v > 10));
const inject = (service: string, scenario: string): Promise<void> =>
  injectFleetFault(test, service, scenario);

it('corrupted cache: cached entries fail requests until the cache is cleared', async () => {
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await inject('checkout', 'corrupted-cache');
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v > 0.5);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v > 0.5);

  const outcome = await test.providers.remediation.clearCache({
    actionId: actionId('clear'),
    service: 'checkout',
  });
  expect(outcome.applied).toBe(true);
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);
});

it('failed jobs: failures land in the dead-letter list, a replay empties it for good', async () => {
  await waitForMetric(test.providers, 'checkout', 'dead_letters', (v) => v === 0, { seconds: 1 });
  await inject('checkout', 'failed-jobs');
  await waitForMetric(test.providers, 'checkout', 'dead_letters', (v) => v >= 30, { seconds: 1 });

  const id = actionId('replay');
  const outcome = await test.providers.remediation.replayDeadLetters({ actionId: id, service: 'checkout' });
  expect(outcome).toMatchObject({ actionId: id, applied: true });
  expect(outcome.summary).toBe(
    'checkout: replayed 30 dead letters: 30 processed, 0 failed again, 0 still queued; 0 dead letters now',
  );
  await waitForMetric(test.providers, 'checkout', 'dead_letters', (v) => v === 0, { seconds: 3 });

  // The same id again is a ledger hit: nothing more is replayed.
  const again = await test.providers.remediation.replayDeadLetters({ actionId: id, service: 'checkout' });
  expect(again.applied).toBe(false);
});

it('queue backlog: slow consumers fall behind, scaling up drains the queue', async () => {
  await waitForMetric(test.providers, 'checkout', 'queue_depth', (v) => v < 20, { seconds: 2 });
  await inject('checkout', 'queue-backlog');
  const peak = await waitForMetric(test.providers, 'checkout', 'queue_depth', (v) => v > 60, { seconds: 1 });

  const outcome = await test.providers.remediation.scale({
    actionId: actionId('scale'),
    service: 'checkout',
    desiredCount: 9,
  });
  expect(outcome).toMatchObject({ applied: true, before: { desiredCount: 3 }, after: { desiredCount: 9 } });
  const topology = await test.providers.remediation.describe('checkout');
  expect(topology.desiredCount).toBe(9);
  expect(topology.targets.filter((t) => t.healthy)).toHaveLength(9);
  await waitForMetric(test.providers, 'checkout', 'queue_depth', (v) => v < Math.min(20, peak), {
    seconds: 2,
    timeoutMs: 45_000,
  });

  // The cause goes away (the clear route), and scaling back removes the newest replicas first.
  await callControl(test, 'POST', '/services/checkout/faults/clear', {
    actionId: actionId('clear-backlog'),
    scenario: 'queue-backlog',
  });
  const down = await test.providers.remediation.scale({
    actionId: actionId('scale-down'),
    service: 'checkout',
    desiredCount: 3,
  });
  expect(Object.keys(down.after.release ?? {})).toEqual(['checkout-0', 'checkout-1', 'checkout-2']);
});

import { actionId, injectFleetFault, recentMean, useTestFleet, waitForMetric } from './fleetHarness';

/**
 * Faults that a restart, a rollback or a reroute heals: each is injected through the control API, seen
 * in the metrics through the provider's `series`, then healed through the provider.
 */
const test = useTestFleet({}, (t) => waitForMetric(t.providers, 'web', 'request_rate', (v) => v > 10));
const inject = (service: string, scenario: string, extra?: Record<string, unknown>): Promise<void> =>
  injectFleetFault(test, service, scenario, extra);

it('bad release: errors show in the new release, rolling back to the previous release restores the baseline', async () => {
  const before = await test.providers.remediation.describe('checkout');
  const previous = before.targets[0]!.release;
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v < 0.02);

  await inject('checkout', 'bad-release', { by: 'alice' });
  const deploys = await test.providers.deploys.deployments('checkout', new Date(Date.now() - 60_000));
  const bad = deploys.at(-1)!;
  expect(bad).toMatchObject({ previousRelease: previous, by: 'alice' });
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v > 0.3, {
    labels: { release: bad.release },
  });
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v > 0.3); // upstream sees it too

  const progress: string[] = [];
  const id = actionId('rollback');
  const outcome = await test.providers.remediation.setRelease({
    actionId: id,
    service: 'checkout',
    release: previous,
    onProgress: (d) => progress.push(d),
  });
  expect(outcome.applied).toBe(true);
  expect(Object.values(outcome.before.release ?? {})).toEqual([bad.release, bad.release, bad.release]);
  expect(Object.values(outcome.after.release ?? {})).toEqual([previous, previous, previous]);
  const after = await test.providers.remediation.describe('checkout');
  expect(after.targets.map((t) => t.release)).toEqual([previous, previous, previous]);
  const history = await test.providers.deploys.deployments('checkout', new Date(Date.now() - 60_000));
  expect(history.at(-1)).toMatchObject({ release: previous, by: `homeostat:${id}` });

  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);
});

it('memory leak: the leaking replica grows, a restart brings memory back down', async () => {
  const baseline = (await recentMean(test.providers, 'checkout', 'memory_rss_mb', 3))!;
  await inject('checkout', 'memory-leak', { target: 'checkout-0' });
  await waitForMetric(test.providers, 'checkout', 'memory_rss_mb', (v) => v > baseline + 20, { seconds: 1 });

  const outcome = await test.providers.remediation.restart({
    actionId: actionId('restart-leak'),
    service: 'checkout',
    targets: ['checkout-0'],
  });
  expect(outcome.applied).toBe(true);
  await waitForMetric(test.providers, 'checkout', 'memory_rss_mb', (v) => v < baseline + 10, { seconds: 2 });
});

it('hang: a replica stops answering and is reported unhealthy; a restart makes it healthy again', async () => {
  await inject('checkout', 'hang', { target: 'checkout-1' });
  await waitForMetric(test.providers, 'checkout', 'healthy_targets', (v) => v === 2, { seconds: 1 });
  const hung = await test.providers.remediation.describe('checkout');
  expect(hung.targets.find((t) => t.id === 'checkout-1')?.healthy).toBe(false);

  await test.providers.remediation.restart({
    actionId: actionId('restart-hang'),
    service: 'checkout',
    targets: ['checkout-1'],
  });
  const healed = await test.providers.remediation.describe('checkout');
  expect(healed.targets.find((t) => t.id === 'checkout-1')?.healthy).toBe(true);
  await waitForMetric(test.providers, 'checkout', 'healthy_targets', (v) => v === 3, { seconds: 1 });
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);
});

it('dependency outage: payments primary pool goes dark, callers time out; shifting weight to standby heals', async () => {
  await inject('payments', 'dependency-outage');
  // Upstream: checkout (and web above it) fail with timeouts, and their latency rises.
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v > 0.5);
  await waitForMetric(test.providers, 'web', 'latency_p95_ms', (v) => v > 800);

  const outcome = await test.providers.remediation.setWeights({
    actionId: actionId('reroute'),
    service: 'payments',
    weights: { primary: 0, standby: 100 },
  });
  expect(outcome.before.weights).toEqual({ primary: 100, standby: 0 });
  expect(outcome.after.weights).toEqual({ primary: 0, standby: 100 });
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);
});

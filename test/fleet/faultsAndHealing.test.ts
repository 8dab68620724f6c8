import type { Providers } from '../../providers/types';
import {
  actionId,
  recentMean,
  sleep,
  startTestFleet,
  waitFor,
  waitForMetric,
  type TestFleet,
} from './fleetHarness';

/**
 * Faults that a restart, a rollback or a reroute heals: each is injected through the control API, seen
 * in the metrics through the provider's `series`, then healed through the provider.
 */
let test: TestFleet;
let providers: Providers;

async function inject(
  service: string,
  scenario: string,
  extra: Record<string, unknown> = {},
): Promise<unknown> {
  const response = await fetch(`${test.fleet.controlUrl}/services/${service}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ actionId: actionId(scenario), scenario, ...extra }),
  });
  const body = (await response.json()) as { action: { status: string; error?: string } };
  expect(response.status).toBe(200);
  expect(body.action.status).toBe('succeeded');
  return body;
}

beforeAll(async () => {
  test = await startTestFleet();
  providers = test.providers;
  await waitForMetric(providers, 'web', 'request_rate', (v) => v > 10);
});

afterAll(async () => {
  await test?.fleet.stop();
  test?.cleanUp();
});

it('bad release: errors show in the new release, rolling back to the previous release restores the baseline', async () => {
  const before = await providers.remediation.describe('checkout');
  const previous = before.targets[0]!.release;
  await waitForMetric(providers, 'checkout', 'error_ratio', (v) => v < 0.02);

  await inject('checkout', 'bad-release', { by: 'alice' });
  const deploys = await providers.deploys.deployments('checkout', new Date(Date.now() - 60_000));
  const bad = deploys.at(-1)!;
  expect(bad).toMatchObject({ previousRelease: previous, by: 'alice' });
  await waitForMetric(providers, 'checkout', 'error_ratio', (v) => v > 0.3, {
    labels: { release: bad.release },
  });
  await waitForMetric(providers, 'web', 'error_ratio', (v) => v > 0.3); // upstream sees it too

  const progress: string[] = [];
  const id = actionId('rollback');
  const outcome = await providers.remediation.setRelease({
    actionId: id,
    service: 'checkout',
    release: previous,
    onProgress: (d) => progress.push(d),
  });
  expect(outcome.applied).toBe(true);
  expect(Object.values(outcome.before.release ?? {})).toEqual([bad.release, bad.release, bad.release]);
  expect(Object.values(outcome.after.release ?? {})).toEqual([previous, previous, previous]);
  const after = await providers.remediation.describe('checkout');
  expect(after.targets.map((t) => t.release)).toEqual([previous, previous, previous]);
  const history = await providers.deploys.deployments('checkout', new Date(Date.now() - 60_000));
  expect(history.at(-1)).toMatchObject({ release: previous, by: `homeostat:${id}` });

  await waitForMetric(providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(providers, 'web', 'error_ratio', (v) => v < 0.02);
});

it('memory leak: the leaking replica grows, a restart brings memory back down', async () => {
  const baseline = (await recentMean(providers, 'checkout', 'memory_rss_mb', 3))!;
  await inject('checkout', 'memory-leak', { target: 'checkout-0' });
  await waitForMetric(providers, 'checkout', 'memory_rss_mb', (v) => v > baseline + 20, { seconds: 1 });

  const outcome = await providers.remediation.restart({
    actionId: actionId('restart-leak'),
    service: 'checkout',
    targets: ['checkout-0'],
  });
  expect(outcome.applied).toBe(true);
  await waitForMetric(providers, 'checkout', 'memory_rss_mb', (v) => v < baseline + 10, { seconds: 2 });
});

it('hang: a replica stops answering and is reported unhealthy; a restart makes it healthy again', async () => {
  await inject('checkout', 'hang', { target: 'checkout-1' });
  await waitForMetric(providers, 'checkout', 'healthy_targets', (v) => v === 2, { seconds: 1 });
  const hung = await providers.remediation.describe('checkout');
  expect(hung.targets.find((t) => t.id === 'checkout-1')?.healthy).toBe(false);

  await providers.remediation.restart({
    actionId: actionId('restart-hang'),
    service: 'checkout',
    targets: ['checkout-1'],
  });
  const healed = await providers.remediation.describe('checkout');
  expect(healed.targets.find((t) => t.id === 'checkout-1')?.healthy).toBe(true);
  await waitForMetric(providers, 'checkout', 'healthy_targets', (v) => v === 3, { seconds: 1 });
  await waitForMetric(providers, 'web', 'error_ratio', (v) => v < 0.02);
});

it('dependency outage: payments primary pool goes dark, callers time out; shifting weight to standby heals', async () => {
  await inject('payments', 'dependency-outage');
  // Upstream: checkout (and web above it) fail with timeouts, and their latency rises.
  await waitForMetric(providers, 'checkout', 'error_ratio', (v) => v > 0.5);
  await waitForMetric(providers, 'web', 'latency_p95_ms', (v) => v > 800);

  const outcome = await providers.remediation.setWeights({
    actionId: actionId('reroute'),
    service: 'payments',
    weights: { primary: 0, standby: 100 },
  });
  expect(outcome.before.weights).toEqual({ primary: 100, standby: 0 });
  expect(outcome.after.weights).toEqual({ primary: 0, standby: 100 });
  await waitForMetric(providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(providers, 'web', 'error_ratio', (v) => v < 0.02);

  // Clean up for the tests after: restart the dark pool and shift back.
  await providers.remediation.restart({ actionId: actionId('restart-payments'), service: 'payments' });
  await providers.remediation.setWeights({
    actionId: actionId('back'),
    service: 'payments',
    weights: { primary: 100, standby: 0 },
  });
  await sleep(1_000);
  await waitForMetric(providers, 'web', 'error_ratio', (v) => v < 0.02);
  await waitFor('all payments targets healthy', async () =>
    (await providers.remediation.describe('payments')).targets.every((t) => t.healthy) ? true : undefined,
  );
});

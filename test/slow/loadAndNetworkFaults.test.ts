import type { MetricSeries } from '../../providers/types';
import {
  actionId,
  callControl,
  injectFleetFault,
  recentMean,
  useTestFleet,
  waitFor,
  waitForMetric,
} from '../fleet/fleetHarness';

/**
 * The failures that only their own signal tells apart: a corrupt cache (cache_error_ratio), a slow
 * network path (timeout_ratio while every target passes its health check), a traffic surge (saturation),
 * and the benign look-alikes (a spike the fleet absorbs, a burst of errors that ends by itself, a daily
 * cycle). Each is injected through the control API and read back through the provider's `series`.
 */
const test = useTestFleet({}, (t) => waitForMetric(t.providers, 'web', 'request_rate', (v) => v > 10));
const inject = (service: string, scenario: string): Promise<void> =>
  injectFleetFault(test, service, scenario);

interface ServiceReply {
  targets: Array<{ id: string; healthy: boolean }>;
  conditions: Record<string, unknown>;
}

/** The last `seconds` of a pool's series, straight from the control API (the provider has no byPool). */
async function poolMean(service: string, metric: string, pool: string, seconds = 3): Promise<number> {
  const to = Date.now();
  const { body } = await callControl<{ series: MetricSeries[] }>(
    test,
    'GET',
    `/services/${service}/series?metrics=${metric}&byPool=true&from=${to - seconds * 1000}&to=${to}`,
  );
  const points = body.series.find((s) => s.labels.pool === pool)?.points ?? [];
  if (points.length === 0) throw new Error(`no ${metric} for pool ${pool} of ${service}`);
  return points.reduce((sum, [, v]) => sum + v, 0) / points.length;
}

/** Every point of `metric` since `from` (the whole-service series). */
async function pointsSince(service: string, metric: string, from: number): Promise<number[]> {
  const [series] = await test.providers.signals.series({
    service,
    metrics: [metric],
    from: new Date(from),
    to: new Date(),
    stepSeconds: 1,
  });
  return (series?.points ?? []).map(([, v]) => v);
}

/** The value of a Prometheus sample on the control API's /metrics whose line starts with `prefix`. */
async function prometheusValue(prefix: string): Promise<number | undefined> {
  const text = await (await fetch(`${test.fleet.controlUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const describeService = async (service: string): Promise<ServiceReply> =>
  (await callControl<ServiceReply>(test, 'GET', `/services/${service}`)).body;

it('corrupted cache: cache_error_ratio rises on the service and its targets (not on its callers) and drops after clearCache', async () => {
  await waitForMetric(test.providers, 'checkout', 'cache_error_ratio', (v) => v === 0);
  await inject('checkout', 'corrupted-cache');
  await waitForMetric(test.providers, 'checkout', 'cache_error_ratio', (v) => v > 0.5);
  await waitForMetric(test.providers, 'checkout', 'cache_error_ratio', (v) => v > 0.5, {
    labels: { target: 'checkout-0' },
  });
  // web fails too (its dependency fails), but its own cache is fine: the cause stays where it is.
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v > 0.5);
  expect(await recentMean(test.providers, 'web', 'cache_error_ratio', 3)).toBe(0);
  const counted = await prometheusValue(
    'fleet_proxy_cache_errors_total{service="checkout",release="v1",pool="primary",target="checkout-0"}',
  );
  expect(counted).toBeGreaterThan(0);

  await test.providers.remediation.clearCache({ actionId: actionId('clear-cache'), service: 'checkout' });
  await waitForMetric(test.providers, 'checkout', 'cache_error_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);
});

it('network timeout: calls to the payments primary pool end at the timeout while its targets stay healthy; the standby pool heals', async () => {
  await inject('payments', 'network-timeout');
  await waitForMetric(test.providers, 'payments', 'timeout_ratio', (v) => v > 0.9);
  await waitForMetric(test.providers, 'checkout', 'timeout_ratio', (v) => v > 0.9); // its caller's view
  expect(await poolMean('payments', 'timeout_ratio', 'primary')).toBeGreaterThan(0.9);
  // Not an outage of the replicas: every target answers its health check.
  expect((await describeService('payments')).targets.every((t) => t.healthy)).toBe(true);
  expect(await recentMean(test.providers, 'payments', 'healthy_targets', 3)).toBe(3);
  expect(await recentMean(test.providers, 'payments', 'saturation', 3)).toBeLessThan(0.3);
  expect(
    await prometheusValue('fleet_proxy_timeouts_total{service="payments",release="v1",pool="primary"'),
  ).toBeGreaterThan(0);

  await test.providers.remediation.setWeights({
    actionId: actionId('reroute'),
    service: 'payments',
    weights: { primary: 0, standby: 100 },
  });
  await waitForMetric(test.providers, 'payments', 'timeout_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);

  await callControl(test, 'POST', '/services/payments/faults/clear', {
    actionId: actionId('clear-network'),
    scenario: 'network-timeout',
  });
  expect((await describeService('payments')).conditions).toEqual({});
});

it('traffic surge: checkout saturates (and fails requests), its dependency does not; scaling out relieves it', async () => {
  await waitForMetric(test.providers, 'checkout', 'saturation', (v) => v < 0.3);
  await inject('checkout', 'traffic-surge');
  await waitForMetric(test.providers, 'checkout', 'saturation', (v) => v > 0.9, { timeoutMs: 45_000 });
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v > 0.05); // 503: overloaded
  expect(await recentMean(test.providers, 'payments', 'saturation', 3)).toBeLessThan(0.3);
  expect(
    await prometheusValue('fleet_replica_saturation{service="checkout",target="checkout-0"}'),
  ).toBeGreaterThan(0.5);

  const outcome = await test.providers.remediation.scale({
    actionId: actionId('scale-out'),
    service: 'checkout',
    desiredCount: 6,
  });
  expect(outcome).toMatchObject({ applied: true, after: { desiredCount: 6 } });
  await waitForMetric(test.providers, 'checkout', 'saturation', (v) => v < 0.8, { seconds: 3 });
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);

  // Clearing the fault stops the surge.
  await callControl(test, 'POST', '/services/checkout/faults/clear', {
    actionId: actionId('clear-surge'),
    scenario: 'traffic-surge',
  });
  await waitForMetric(test.providers, 'checkout', 'request_rate', (v) => v < 45);
});

it('traffic spike: twice the traffic, absorbed without saturation or errors', async () => {
  await inject('web', 'traffic-spike');
  await waitForMetric(test.providers, 'web', 'request_rate', (v) => v > 50, { seconds: 3 });
  await waitForMetric(test.providers, 'checkout', 'request_rate', (v) => v > 50, { seconds: 3 });
  for (const service of ['web', 'checkout', 'payments']) {
    expect(await recentMean(test.providers, service, 'saturation', 3)).toBeLessThan(0.3);
    expect(await recentMean(test.providers, service, 'error_ratio', 3)).toBeLessThan(0.02);
  }
});

it('error burst: a short burst of errors that ends by itself', async () => {
  const from = Date.now();
  await inject('checkout', 'error-burst');
  // The burst shows in the series, and then the service is healthy again without any action.
  const peak = await waitFor('the error burst in the series and its end', async () => {
    const points = await pointsSince('checkout', 'error_ratio', from);
    const peak = Math.max(0, ...points);
    const calm = await recentMean(test.providers, 'checkout', 'error_ratio', 3);
    return peak > 0.2 && calm !== undefined && calm < 0.02 ? peak : undefined;
  });
  expect(peak).toBeGreaterThan(0.2);
  expect((await describeService('checkout')).targets.every((t) => t.healthy)).toBe(true);
});

it('daily cycle: the load generator rises along its sinusoid; only the entry service has one', async () => {
  const refused = await callControl<{ field: string }>(test, 'POST', '/services/checkout/faults', {
    actionId: actionId('cycle-checkout'),
    scenario: 'daily-cycle',
  });
  expect(refused).toMatchObject({ status: 409, body: { field: 'service' } });

  await inject('web', 'daily-cycle');
  // A quarter period (30 s) takes the rate to 1.5×; a sixth of the way (≥ 1.25×) is proof enough.
  await waitForMetric(test.providers, 'web', 'request_rate', (v) => v > 37, { timeoutMs: 45_000 });
  expect(await recentMean(test.providers, 'checkout', 'saturation', 3)).toBeLessThan(0.3);
  expect(await recentMean(test.providers, 'web', 'error_ratio', 3)).toBeLessThan(0.02);
});

it('a fleet reset ends every load and network fault', async () => {
  await inject('payments', 'network-timeout');
  await inject('checkout', 'traffic-surge');
  await inject('web', 'traffic-spike');
  await inject('web', 'daily-cycle');
  await inject('checkout', 'error-burst');
  await waitForMetric(test.providers, 'payments', 'timeout_ratio', (v) => v > 0.9);

  const id = actionId('reset');
  await callControl(test, 'POST', '/reset?waitMs=20000', { actionId: id, by: 'test' });
  const summary = await waitFor(`reset ${id}`, async () => {
    const { body } = await callControl<{ action: { status: string; result?: { summary: string } } }>(
      test,
      'GET',
      `/actions/${id}`,
    );
    return body.action.status === 'succeeded' ? body.action.result?.summary : undefined;
  });
  expect(summary).toContain('payments: ended network-timeout');
  expect(summary).toContain('checkout: ended traffic-surge');
  expect(summary).toContain('web: ended traffic-spike, daily-cycle');
  for (const service of ['web', 'checkout', 'payments'])
    expect((await describeService(service)).conditions).toEqual({});
  await waitForMetric(test.providers, 'payments', 'timeout_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'checkout', 'saturation', (v) => v < 0.3);
  await waitForMetric(test.providers, 'web', 'request_rate', (v) => v < 36);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);
});

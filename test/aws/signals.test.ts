import type { MetricSeries, Providers } from '../../providers/types';
import type { Seeded } from './seed';
import { startSeededMoto, type SeededMoto } from './seededMoto';

/** Signals and deploy history read from moto through the real SDK clients. */
describe('AWS signals and deploy history (moto)', () => {
  let aws: SeededMoto | undefined;
  let seeded: Seeded;
  let providers: Providers;

  beforeAll(async () => {
    aws = await startSeededMoto();
    ({ seeded, providers } = aws);
  });

  afterAll(async () => {
    await aws?.stop();
  });

  const find = (all: MetricSeries[], metric: string, labels: MetricSeries['labels']) =>
    all.find((s) => s.metric === metric && JSON.stringify(s.labels) === JSON.stringify(labels));
  const valueAt = (s: MetricSeries | undefined, at: Date) => s?.points.find(([t]) => t === at.getTime())?.[1];

  it('series maps CloudWatch ECS, ALB and custom metrics to Homeostat series', async () => {
    const series = await providers.signals.series({
      service: 'checkout',
      metrics: [
        'error_ratio',
        'request_rate',
        'latency_p95_ms',
        'cpu_utilization',
        'memory_utilization',
        'queue_depth',
      ],
      from: seeded.metricsFrom,
      to: seeded.metricsTo,
      stepSeconds: 60,
    });
    const before = seeded.metricsFrom;
    const after = seeded.v2At;

    const errorsA = find(series, 'error_ratio', { pool: 'checkout-a' });
    expect(errorsA?.points).toHaveLength(30);
    expect(valueAt(errorsA, before)).toBeCloseTo(0.005);
    expect(valueAt(errorsA, after)).toBeCloseTo(0.2);
    expect(valueAt(find(series, 'error_ratio', {}), after)).toBeCloseTo(0.2);
    expect(valueAt(find(series, 'request_rate', { pool: 'checkout-b' }), after)).toBeCloseTo(1000 / 60);
    expect(valueAt(find(series, 'request_rate', {}), after)).toBeCloseTo(2000 / 60);
    expect(valueAt(find(series, 'latency_p95_ms', { pool: 'checkout-b' }), before)).toBeCloseTo(120);
    expect(valueAt(find(series, 'latency_p95_ms', { pool: 'checkout-b' }), after)).toBeCloseTo(900);
    expect(valueAt(find(series, 'cpu_utilization', { target: 'checkout-cell-a' }), after)).toBe(85);
    expect(valueAt(find(series, 'memory_utilization', { target: 'checkout-cell-b' }), before)).toBe(55);
    expect(valueAt(find(series, 'queue_depth', {}), after)).toBe(500);
  });

  it('series asks CloudWatch only for what was requested', async () => {
    const series = await providers.signals.series({
      service: 'checkout',
      metrics: ['cpu_utilization'],
      from: seeded.metricsFrom,
      to: seeded.metricsTo,
      stepSeconds: 300,
    });
    expect(series.map((s) => `${s.metric} ${s.labels.target}`).sort()).toEqual([
      'cpu_utilization checkout-cell-a',
      'cpu_utilization checkout-cell-b',
    ]);
    expect(series[0]!.points).toHaveLength(6);
  });

  it('deployments names v2 on both cells and v1 as the previous stable revision', async () => {
    const history = await providers.deploys.deployments('checkout', new Date(Date.now() - 3600_000));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      service: 'checkout',
      release: seeded.v2,
      previousRelease: seeded.v1,
      targets: ['checkout-cell-a', 'checkout-cell-b'],
    });
    expect(history[0]!.by).toBeUndefined();
  });

  it('describe shows one target per cell with its task definition and the listener weights', async () => {
    const topology = await providers.remediation.describe('checkout');
    expect(topology).toEqual({
      service: 'checkout',
      targets: [
        { id: 'checkout-cell-a', release: seeded.v2, healthy: true, pool: 'checkout-a' },
        { id: 'checkout-cell-b', release: seeded.v2, healthy: true, pool: 'checkout-b' },
      ],
      weights: { 'checkout-a': 50, 'checkout-b': 50 },
      desiredCount: 2,
      dependencies: ['payments'],
    });
  });
});

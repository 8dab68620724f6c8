import type { Evidence } from '../../src/model/diagnosis';
import type { MetricSeries, Target } from '../../src/model/signals';

/** Builders for diagnosis tests: series sampled every second over the last `seconds`. */
export const NOW = Date.parse('2026-11-28T10:00:00Z');

export function series(
  metric: string,
  labels: MetricSeries['labels'],
  valueAt: (secondsAgo: number) => number,
  seconds = 300,
): MetricSeries {
  const points: Array<[number, number]> = [];
  for (let ago = seconds; ago >= 0; ago--) points.push([NOW - ago * 1000, valueAt(ago)]);
  return { metric, labels, points };
}

export function targets(release: string, n: number, healthy = true): Target[] {
  return Array.from({ length: n }, (_, i) => ({ id: `checkout-${i}`, release, healthy, pool: 'primary' }));
}

export function evidence(overrides: Partial<Evidence> = {}): Evidence {
  return {
    service: 'checkout',
    gatheredAt: new Date(NOW).toISOString(),
    baselineFrom: new Date(NOW - 300_000).toISOString(),
    recentFrom: new Date(NOW - 30_000).toISOString(),
    topology: {
      service: 'checkout',
      targets: targets('v1', 3),
      weights: {},
      desiredCount: 3,
      dependencies: [],
    },
    series: [],
    deployments: [],
    dependencies: [],
    ...overrides,
  };
}

import type { Evidence, ServiceEvidence } from '../../core/model/diagnosis';
import type { MetricSeries, Target } from '../../core/model/signals';

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

/** Evidence about `checkout` (three healthy v1 targets unless overridden) and any downstream services. */
export function evidence(
  checkout: Partial<ServiceEvidence> = {},
  downstream: ServiceEvidence[] = [],
): Evidence {
  return {
    service: 'checkout',
    gatheredAt: new Date(NOW).toISOString(),
    baselineFrom: new Date(NOW - 300_000).toISOString(),
    recentFrom: new Date(NOW - 30_000).toISOString(),
    services: [
      {
        service: 'checkout',
        topology: topology('checkout', targets('v1', 3)),
        series: [],
        deployments: [],
        ...checkout,
      },
      ...downstream,
    ],
  };
}

export function topology(service: string, t: Target[], dependencies: string[] = []) {
  return { service, targets: t, weights: {}, desiredCount: t.length, dependencies };
}

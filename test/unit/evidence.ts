import type { Evidence, ServiceEvidence } from '../../core/model/diagnosis';
import type { Deployment, MetricSeries, Target } from '../../core/model/signals';

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

/** A service that moved to `release` `secondsAgo` (all its targets on it), and its error ratio. */
export interface DeployedService {
  /** checkout unless named. */
  service?: string;
  release: string;
  previousRelease?: string;
  secondsAgo: number;
  by?: string;
  /** How many targets run the release; 3 unless given. */
  targets?: number;
  dependencies?: string[];
  /** The whole service's error ratio, by seconds ago. */
  errors: (secondsAgo: number) => number;
  /** The new release's own error ratio; absent for a source that has no per-release series. */
  releaseErrors?: (secondsAgo: number) => number;
  /** How far back the per-release series goes; the deploy's age unless given. */
  releaseSeconds?: number;
}

export function deployed(d: DeployedService): ServiceEvidence {
  const service = d.service ?? 'checkout';
  const deployment: Deployment = {
    // Diagnosis never reads the id; it only has to be there.
    id: `deploy-${d.release}`,
    service,
    release: d.release,
    ...(d.previousRelease !== undefined ? { previousRelease: d.previousRelease } : {}),
    at: new Date(NOW - d.secondsAgo * 1000).toISOString(),
    ...(d.by !== undefined ? { by: d.by } : {}),
  };
  return {
    service,
    topology: topology(service, targets(d.release, d.targets ?? 3), d.dependencies),
    series: [
      series('error_ratio', {}, d.errors),
      ...(d.releaseErrors
        ? [series('error_ratio', { release: d.release }, d.releaseErrors, d.releaseSeconds ?? d.secondsAgo)]
        : []),
    ],
    deployments: [deployment],
  };
}

/** `service`'s targets: `primaries` in the primary pool, then `standbys` in the standby pool (all healthy). */
export function pooledTargets(service: string, release: string, primaries: number, standbys = 1): Target[] {
  return [
    ...Array.from({ length: primaries }, (_, i) => ({
      id: `${service}-${i}`,
      release,
      healthy: true,
      pool: 'primary',
    })),
    ...Array.from({ length: standbys }, (_, i) => ({
      id: `${service}-s${i}`,
      release,
      healthy: true,
      pool: 'standby',
    })),
  ];
}

/** A service on `release` with the given series (and dependencies), no deploys, weights all on primary. */
export function service(
  name: string,
  metrics: MetricSeries[],
  opts: { dependencies?: string[]; targets?: Target[] } = {},
): ServiceEvidence {
  const t = opts.targets ?? pooledTargets(name, 'v1', 2);
  return {
    service: name,
    topology: { ...topology(name, t, opts.dependencies), weights: { primary: 100, standby: 0 } },
    series: metrics,
    deployments: [],
  };
}

/** A step at `secondsAgo`: `before` until then, `after` since (e.g. a fault that began 20 s ago). */
export const since =
  (secondsAgo: number, before: number, after: number) =>
  (ago: number): number =>
    ago > secondsAgo ? before : after;

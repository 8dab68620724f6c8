import { diagnose } from '../../core/diagnosis/diagnose';
import type { ServiceEvidence } from '../../core/model/diagnosis';
import { deployed, evidence, pooledTargets, series, service, since } from './evidence';

/**
 * The failure classes the fleet's new signals reveal (cache errors, timeouts, saturation), and the
 * look-alikes that must not be taken for them. Evidence: checkout → payments, 300 s of 1 s samples,
 * the last 30 s the recent window.
 */

/** payments, calm: the dependency of most cases here. */
const calmPayments = (): ServiceEvidence =>
  service('payments', [
    series('error_ratio', {}, () => 0),
    series('latency_p95_ms', {}, (ago) => 8 + (ago % 3)),
    series('timeout_ratio', {}, () => 0),
  ]);

/** checkout's own signals (its dependency payments calm unless given). */
const checkout = (metrics: Parameters<typeof service>[1], downstream = [calmPayments()]) =>
  evidence(service('checkout', metrics, { dependencies: ['payments'] }), downstream);

describe('diagnose: corrupted cache', () => {
  it('blames corrupt cache entries when cache reads explain the errors, naming the targets that serve them', () => {
    const d = diagnose(
      checkout([
        series('error_ratio', {}, since(20, 0.01, 0.3)),
        series('cache_error_ratio', {}, since(20, 0, 0.29)),
        series('cache_error_ratio', { target: 'checkout-0' }, since(20, 0, 0.3)),
        series('cache_error_ratio', { target: 'checkout-1' }, since(20, 0, 0.28)),
        series('cache_error_ratio', { target: 'checkout-s0' }, () => 0),
      ]),
    );
    expect(d).toMatchObject({
      failureClass: 'corrupted-cache',
      rootService: 'checkout',
      affectedTargets: ['checkout-0', 'checkout-1'],
      healthy: false,
    });
    expect(d.confidence).not.toBe('low');
    expect(d.evidence.join('\n')).toMatch(/cache reads explain 9\d % of the failed requests of checkout/);
  });

  it('does not blame the cache for errors it explains only a small part of', () => {
    const d = diagnose(
      checkout([
        series('error_ratio', {}, since(20, 0.01, 0.4)),
        series('cache_error_ratio', {}, since(20, 0, 0.08)),
      ]),
    );
    expect(d.failureClass).toBe('unknown');
  });

  it('leaves a release that errs to the release rule, even with cache errors', () => {
    const bad = deployed({
      release: 'v2',
      previousRelease: 'v1',
      secondsAgo: 25,
      by: 'ci',
      errors: since(25, 0.01, 0.4),
      releaseErrors: () => 0.4,
    });
    bad.series.push(series('cache_error_ratio', {}, since(25, 0, 0.35)));
    expect(diagnose(evidence(bad)).failureClass).toBe('bad-release');
  });
});

describe('diagnose: network timeout', () => {
  /** payments' primary path delays past its proxy timeout (1 s): 504s, p95 pinned near 1 s, replicas healthy. */
  const timingOut = (
    opts: { timeoutSeries?: boolean; targets?: ServiceEvidence['topology']['targets'] } = {},
  ) =>
    service(
      'payments',
      [
        series('error_ratio', {}, since(20, 0, 0.95)),
        series('latency_p95_ms', {}, (ago) => (ago > 20 ? 8 + (ago % 3) : 1000 + (ago % 7))),
        series('saturation', {}, () => 0.05),
        ...(opts.timeoutSeries === false
          ? []
          : [
              series('timeout_ratio', {}, since(20, 0, 0.95)),
              series('timeout_ratio', { pool: 'primary' }, since(20, 0, 0.97)),
              series('timeout_ratio', { pool: 'standby' }, () => 0),
            ]),
      ],
      opts.targets ? { targets: opts.targets } : {},
    );
  const callerSeries = [
    series('error_ratio', {}, since(20, 0.01, 0.9)),
    series('latency_p95_ms', {}, (ago) => (ago > 20 ? 30 : 1010 + (ago % 5))),
    series('timeout_ratio', {}, since(20, 0, 0.9)),
  ];

  it('walks to the dependency whose requests end at a timeout while its targets pass health checks', () => {
    const d = diagnose(checkout(callerSeries, [timingOut()]));
    expect(d).toMatchObject({ failureClass: 'network-timeout', rootService: 'payments', confidence: 'high' });
    const text = d.evidence.join('\n');
    expect(text).toMatch(
      /timeout_ratio of payments: 0\.\d\d over the last 30 s, 0\.95 in the last 3 s, against 0\.00 usually/,
    );
    expect(text).toMatch(/all 3 targets of payments pass health checks/);
    expect(text).toMatch(/timeout_ratio of payments pool primary/);
    expect(d.baselines.latency_p95_ms).toBeLessThan(20);
  });

  it('reads p95 latency pinned at a ceiling as a timeout where the platform has no timeout metric', () => {
    const d = diagnose(checkout(callerSeries.slice(0, 2), [timingOut({ timeoutSeries: false })]));
    expect(d).toMatchObject({ failureClass: 'network-timeout', rootService: 'payments' });
    expect(d.evidence.join('\n')).toMatch(/pinned like a timeout/);
  });

  it('sees a cell whose targets fail health checks as a dependency outage, not a network timeout', () => {
    const targets = pooledTargets('payments', 'v1', 2).map((t) => ({ ...t, healthy: t.pool !== 'primary' }));
    const d = diagnose(checkout(callerSeries, [timingOut({ targets })]));
    expect(d).toMatchObject({ failureClass: 'dependency-outage', rootService: 'payments' });
  });

  it('does not call timeouts younger than the health checks a network timeout: a hang may not show yet', () => {
    const checked = (s: ServiceEvidence, healthCheckSeconds: number): ServiceEvidence => ({
      ...s,
      topology: { ...s.topology, healthCheckSeconds },
    });
    const justBegan = service('payments', [
      series('error_ratio', {}, since(2, 0, 0.95)),
      series('latency_p95_ms', {}, (ago) => (ago > 2 ? 8 + (ago % 3) : 1000 + (ago % 7))),
      series('saturation', {}, () => 0.05),
      series('timeout_ratio', {}, since(2, 0, 0.95)),
    ]);
    const young = diagnose(checkout(callerSeries, [checked(justBegan, 5)]));
    expect(young).toMatchObject({
      failureClass: 'dependency-outage',
      rootService: 'payments',
      confidence: 'low',
    });
    expect(young.evidence.join('\n')).toMatch(
      /began timing out 2\.0 s ago, sooner than its health checks \(5 s\)/,
    );
    // The same timeouts, once older than the checks, are a network timeout.
    expect(diagnose(checkout(callerSeries, [checked(justBegan, 1)])).failureClass).toBe('network-timeout');
    expect(diagnose(checkout(callerSeries, [checked(timingOut(), 5)])).failureClass).toBe('network-timeout');
  });

  it('does not read latency that rises and wanders, without timeouts, as a timeout', () => {
    const wandering = service('checkout', [
      series('error_ratio', {}, () => 0.01),
      series('latency_p95_ms', {}, (ago) => (ago > 20 ? 30 : 300 + 40 * (ago % 10))),
    ]);
    expect(diagnose(evidence(wandering)).failureClass).toBe('unknown');
  });
});

describe('diagnose: resource exhaustion', () => {
  /** checkout under `rate` req/s (30 usually), its slots `busy`, with errors and latency as given. */
  const loaded = (o: { rate: number; busy: number; errors?: number; latency?: number; lag?: number }) => [
    series('request_rate', {}, since(20, 30, o.rate)),
    series('saturation', {}, since(20, 0.1, o.busy)),
    series('saturation', { target: 'checkout-0' }, since(20, 0.1, o.busy)),
    series('saturation', { target: 'checkout-1' }, since(20, 0.1, o.busy)),
    series('saturation', { target: 'checkout-s0' }, () => 0),
    series('error_ratio', {}, since(20, 0.01, o.errors ?? 0.01)),
    series('latency_p95_ms', {}, (ago) => (ago > 20 ? 25 + (ago % 4) : (o.latency ?? 25) + (ago % 40))),
    series('event_loop_lag_ms', {}, since(20, 2, o.lag ?? 2)),
  ];

  it('scales a service whose slots are saturated by a rise in traffic that users feel', () => {
    const d = diagnose(checkout(loaded({ rate: 150, busy: 1, errors: 0.2, latency: 260 })));
    expect(d).toMatchObject({
      failureClass: 'resource-exhaustion',
      rootService: 'checkout',
      affectedTargets: ['checkout-0', 'checkout-1'],
    });
    expect(d.confidence).toBe('high');
    expect(d.evidence.join('\n')).toMatch(
      /request_rate of checkout: \d+\.\d req\/s over the last 30 s, against 30\.0 req\/s usually \(median of the 270 s before\)/,
    );
    expect(d.baselines).toMatchObject({ request_rate: 30 });
    // Each signal once: the verdict's sentence (with the window's tail) replaces the walk's.
    const subjects = d.evidence.map((e) => e.slice(0, e.indexOf(':')));
    expect(subjects.filter((x) => x === 'error_ratio of checkout')).toHaveLength(1);
    expect(d.evidence.join('\n')).toMatch(
      /error_ratio of checkout: 0\.\d\d over the last 30 s, 0\.20 in the last 3 s/,
    );
  });

  it('sets aside a recent deploy whose release is healthy, and says so at a lower score', () => {
    const surge = loaded({ rate: 150, busy: 1, errors: 0.2, latency: 260 });
    const withDeploy = service(
      'checkout',
      [...surge, series('error_ratio', { release: 'v2' }, () => 0.01, 90)],
      {
        dependencies: ['payments'],
        targets: pooledTargets('checkout', 'v2', 2),
      },
    );
    withDeploy.deployments = [
      {
        id: 'd2',
        service: 'checkout',
        release: 'v2',
        previousRelease: 'v1',
        at: new Date(Date.parse(evidence().gatheredAt) - 90_000).toISOString(),
        by: 'ci',
      },
    ];
    const d = diagnose(evidence(withDeploy, [calmPayments()]));
    expect(d.failureClass).toBe('resource-exhaustion');
    expect(d.evidence.join('\n')).toMatch(/a deploy of v2 at .* was set aside/);
    expect(d.score).toBeLessThan(diagnose(checkout(surge)).score);
  });

  it('counts latency alone as the users’ impact when the slots are saturated', () => {
    expect(diagnose(checkout(loaded({ rate: 90, busy: 0.95, latency: 400 }))).failureClass).toBe(
      'resource-exhaustion',
    );
  });

  it('reads an event loop that lags under the rise as exhaustion too', () => {
    expect(diagnose(checkout(loaded({ rate: 90, busy: 0.3, errors: 0.15, lag: 200 }))).failureClass).toBe(
      'resource-exhaustion',
    );
  });

  it('calls a traffic rise the fleet absorbs healthy', () => {
    const d = diagnose(checkout(loaded({ rate: 60, busy: 0.15 })));
    expect(d).toMatchObject({ failureClass: 'unknown', healthy: true });
  });

  it('calls saturation nobody feels healthy', () => {
    expect(diagnose(checkout(loaded({ rate: 150, busy: 0.9 })))).toMatchObject({ healthy: true });
  });

  it('does not blame traffic that did not rise for saturated slots', () => {
    expect(
      diagnose(checkout(loaded({ rate: 30, busy: 1, errors: 0.2, latency: 300 }))).failureClass,
    ).not.toBe('resource-exhaustion');
  });

  it('calls a slow daily cycle of load healthy', () => {
    const cycle = (ago: number): number => 30 * (1 + 0.5 * Math.sin((2 * Math.PI * (300 - ago)) / 120));
    const d = diagnose(
      checkout([
        series('request_rate', {}, cycle),
        series('saturation', {}, (ago) => cycle(ago) / 300),
        series('error_ratio', {}, () => 0.01),
        series('latency_p95_ms', {}, (ago) => 25 + cycle(ago) / 10),
      ]),
    );
    expect(d).toMatchObject({ failureClass: 'unknown', healthy: true });
  });
});

describe('diagnose: bursts and rollouts that ended', () => {
  it('calls a short error burst that ended by itself healthy, not a class that acts', () => {
    // 80 % of requests failed for 2 s, 8 s ago; the last samples are back at the baseline.
    const d = diagnose(
      evidence({ series: [series('error_ratio', {}, (ago) => (ago <= 9 && ago > 7 ? 0.8 : 0.01))] }),
    );
    expect(d).toMatchObject({ failureClass: 'unknown', healthy: true });
    expect(d.summary).toMatch(/ended by itself/);
    expect(d.evidence.join('\n')).toMatch(
      /error_ratio of checkout: 0\.80 at its peak in the last 30 s, 0\.01 in the last 3 s/,
    );
  });

  it('does not blame a release for the errors of its rollout once its own errors are back at the baseline', () => {
    const rolledOut = deployed({
      release: 'v2',
      previousRelease: 'v1',
      secondsAgo: 20,
      by: 'ci',
      errors: (ago) => (ago <= 20 && ago > 16 ? 0.5 : 0.01),
      releaseErrors: (ago) => (ago > 16 ? 0.5 : 0.01),
    });
    const d = diagnose(evidence(rolledOut));
    expect(d.failureClass).not.toBe('bad-release');
    expect(d.healthy).toBe(true);
  });

  it('still blames a release that errs after its rollout', () => {
    const erring = deployed({
      release: 'v2',
      previousRelease: 'v1',
      secondsAgo: 20,
      by: 'ci',
      errors: since(20, 0.01, 0.3),
      releaseErrors: () => 0.3,
    });
    expect(diagnose(evidence(erring)).failureClass).toBe('bad-release');
  });
});

import { diagnose } from '../../core/diagnosis/diagnose';
import type { ServiceEvidence } from '../../core/model/diagnosis';
import { deployed, evidence, pooledTargets, series, since, targets, topology } from './evidence';

/** checkout deployed v2 over v1 30 s ago and it errs, after an earlier outage that ended `outageEndedAgo`. */
const v2ErringAfterAnOutage = (outageEndedAgo: number): ServiceEvidence =>
  deployed({
    release: 'v2',
    previousRelease: 'v1',
    secondsAgo: 30,
    errors: (ago) => (ago <= 30 ? 0.4 : ago > outageEndedAgo ? 0.5 : 0.01),
    releaseErrors: () => 0.4,
  });

describe('diagnose', () => {
  it('calls a steady service healthy', () => {
    const d = diagnose(evidence({ series: [series('error_ratio', {}, () => 0.01)] }));
    expect(d).toMatchObject({ failureClass: 'unknown', healthy: true });
  });

  it('blames a recent deploy whose release errs, naming the release to return to', () => {
    const ev = evidence(
      deployed({
        release: 'v2',
        previousRelease: 'v1',
        secondsAgo: 60,
        by: 'ci',
        errors: (ago) => (ago > 60 ? 0.01 : 0.4),
        releaseErrors: () => 0.4,
      }),
    );
    const d = diagnose(ev);
    expect(d).toMatchObject({
      failureClass: 'bad-release',
      suspectRelease: 'v2',
      goodRelease: 'v1',
      suspectDeployedBy: 'ci',
      confidence: 'high',
      healthy: false,
    });
    expect(d.affectedTargets).toEqual(['checkout-0', 'checkout-1', 'checkout-2']);
    expect(d.baselines.error_ratio).toBeCloseTo(0.01, 5);
  });

  it('compares the service before and after a deploy where there are no per-release series', () => {
    const d = diagnose(
      evidence(
        deployed({
          release: 'td:7',
          previousRelease: 'td:6',
          secondsAgo: 60,
          targets: 2,
          errors: (ago) => (ago > 60 ? 0.005 : 0.2),
        }),
      ),
    );
    expect(d).toMatchObject({ failureClass: 'bad-release', suspectRelease: 'td:7', goodRelease: 'td:6' });
  });

  it('still sees a bad release when an earlier incident sits inside the baseline window', () => {
    // 100 s of an earlier outage (errors 0.5) in a 270 s baseline, then the new release at 0.4.
    const d = diagnose(evidence(v2ErringAfterAnOutage(200)));
    expect(d).toMatchObject({ failureClass: 'bad-release', suspectRelease: 'v2' });
  });

  it('still sees a bad release when an earlier incident filled most of the baseline window', () => {
    // An earlier outage for 190 of the baseline's 270 s (a fleet that just came back), then v2 errs.
    const d = diagnose(evidence(v2ErringAfterAnOutage(110)));
    expect(d).toMatchObject({ failureClass: 'bad-release', suspectRelease: 'v2' });
    expect(d.baselines.error_ratio).toBeLessThan(0.05);
  });

  it('does not blame a deploy whose release is healthy, nor one made by Homeostat itself', () => {
    const healthyDeploy = evidence(
      deployed({
        release: 'v2',
        previousRelease: 'v1',
        secondsAgo: 60,
        errors: () => 0.01,
        releaseErrors: () => 0.01,
      }),
    );
    expect(diagnose(healthyDeploy).failureClass).not.toBe('bad-release');

    const ours = evidence(
      deployed({
        release: 'v1',
        secondsAgo: 20,
        by: 'homeostat:x',
        errors: (ago) => (ago > 20 ? 0.01 : 0.4),
        releaseErrors: () => 0.4,
        releaseSeconds: 300,
      }),
    );
    expect(diagnose(ours).failureClass).not.toBe('bad-release');
  });

  it('walks down to a dependency whose cell is down and reroutes around it', () => {
    const d = diagnose(
      evidence(
        {
          topology: topology('checkout', targets('v1', 3), ['payments']),
          series: [series('error_ratio', {}, (ago) => (ago > 30 ? 0.01 : 0.5))],
        },
        [
          {
            service: 'payments',
            topology: topology('payments', [
              ...targets('p1', 2, false),
              { id: 'payments-s', release: 'p1', healthy: true },
            ]),
            series: [series('error_ratio', {}, (ago) => (ago > 30 ? 0 : 1))],
            deployments: [],
          },
        ],
      ),
    );
    expect(d).toMatchObject({ failureClass: 'dependency-outage', rootService: 'payments' });
    expect(d.affectedTargets).toEqual(['checkout-0', 'checkout-1']);
  });

  it('ignores a dead cell that no longer takes traffic', () => {
    const drained = {
      service: 'payments',
      topology: {
        ...topology('payments', [
          ...targets('p1', 2, false),
          { id: 'payments-s', release: 'p1', healthy: true },
        ]),
        weights: { primary: 0, standby: 100 },
      },
      series: [series('error_ratio', {}, () => 0)],
      deployments: [],
    };
    drained.topology.targets[2]!.pool = 'standby';
    const d = diagnose(
      evidence({ topology: topology('checkout', targets('v1', 3), ['payments']) }, [drained]),
    );
    expect(d).toMatchObject({ failureClass: 'unknown', healthy: true, rootService: 'checkout' });
  });

  it('does not blame a dependency that recovered moments ago for its caller’s own bad release', () => {
    // payments failed until 4 s ago (a reroute just finished); checkout's new release errs throughout.
    const payments = (recoveredAgo: number): ServiceEvidence => ({
      service: 'payments',
      topology: topology('payments', targets('p1', 3)),
      series: [
        series('error_ratio', {}, (ago) => (ago > 25 || ago < recoveredAgo ? 0 : 0.6)),
        series('latency_p95_ms', {}, (ago) => (ago > 25 || ago < recoveredAgo ? 3 : 1000)),
      ],
      deployments: [],
    });
    const checkout = deployed({
      release: 'v2',
      previousRelease: 'v1',
      secondsAgo: 25,
      by: 'ci',
      dependencies: ['payments'],
      errors: (ago) => (ago > 25 ? 0.01 : 0.4),
      releaseErrors: () => 0.5,
    });
    expect(diagnose(evidence(checkout, [payments(4)]))).toMatchObject({
      failureClass: 'bad-release',
      rootService: 'checkout',
      goodRelease: 'v1',
    });
    // The same dependency still failing at the end of the window is the root cause.
    expect(diagnose(evidence(checkout, [payments(0)]))).toMatchObject({ rootService: 'payments' });
  });

  it('finds a bad release two hops down, not a dependency outage', () => {
    const ev = evidence(
      {
        topology: topology('checkout', targets('v1', 3), ['payments']),
        series: [series('error_ratio', {}, (ago) => (ago > 60 ? 0.01 : 0.3))],
      },
      [
        deployed({
          service: 'payments',
          release: 'p2',
          previousRelease: 'p1',
          secondsAgo: 60,
          by: 'ci',
          errors: (ago) => (ago > 60 ? 0.0 : 0.5),
          releaseErrors: () => 0.5,
        }),
      ],
    );
    expect(diagnose(ev)).toMatchObject({
      failureClass: 'bad-release',
      rootService: 'payments',
      goodRelease: 'p1',
    });
  });

  it('sees targets that stopped answering as a deadlock', () => {
    const t = targets('v1', 3);
    t[1]!.healthy = false;
    const d = diagnose(
      evidence({
        topology: { service: 'checkout', targets: t, weights: {}, desiredCount: 3, dependencies: [] },
      }),
    );
    expect(d).toMatchObject({ failureClass: 'deadlock', affectedTargets: ['checkout-1'] });
  });

  it('a pool down on the alerting service itself, with another pool healthy, is a cell outage (reroute), not a deadlock', () => {
    const t = pooledTargets('checkout', 'v1', 2);
    t[0]!.healthy = false;
    t[1]!.healthy = false;
    const cell = diagnose(
      evidence({
        topology: {
          service: 'checkout',
          targets: t,
          weights: { primary: 100, standby: 0 },
          desiredCount: 3,
          dependencies: [],
        },
        series: [series('error_ratio', {}, since(20, 0, 1))],
      }),
    );
    expect(cell).toMatchObject({ failureClass: 'dependency-outage', rootService: 'checkout' });
    expect(cell.evidence?.join(' ')).toContain('pool standby of checkout is healthy');
    // The same targets down with no other pool to take the traffic: restart them.
    const noPools = t.map(({ pool: _pool, ...rest }) => rest);
    const stuck = diagnose(
      evidence({
        topology: { service: 'checkout', targets: noPools, weights: {}, desiredCount: 3, dependencies: [] },
        series: [series('error_ratio', {}, since(20, 0, 1))],
      }),
    );
    expect(stuck).toMatchObject({ failureClass: 'deadlock' });
  });

  it('sees memory climbing on one target as a leak', () => {
    const d = diagnose(
      evidence({
        series: [
          series('memory_rss_mb', { target: 'checkout-0' }, () => 60),
          series('memory_rss_mb', { target: 'checkout-2' }, (ago) => (ago > 30 ? 60 : 60 + (30 - ago) * 5)),
        ],
      }),
    );
    expect(d).toMatchObject({ failureClass: 'memory-leak', affectedTargets: ['checkout-2'] });
  });

  it('a target killed at its memory limit after its memory climbed is a leak, not a deadlock', () => {
    const t = targets('v1', 3);
    t[2]!.healthy = false;
    const d = diagnose(
      evidence({
        topology: { ...topology('checkout', t), weights: {} },
        series: [
          series('memory_rss_mb', { target: 'checkout-0' }, () => 60),
          // Climbing from 20 s ago, killed 5 s ago: no samples since.
          {
            ...series('memory_rss_mb', { target: 'checkout-2' }, (ago) =>
              ago > 20 ? 60 : 60 + (20 - ago) * 6,
            ),
            points: series('memory_rss_mb', {}, (ago) => (ago > 20 ? 60 : 60 + (20 - ago) * 6)).points.slice(
              0,
              -5,
            ),
          },
        ],
      }),
    );
    expect(d).toMatchObject({ failureClass: 'memory-leak', affectedTargets: ['checkout-2'] });
  });

  it('sees a growing queue as a backlog and dead letters as failed jobs', () => {
    expect(
      diagnose(
        evidence({ series: [series('queue_depth', {}, (ago) => (ago > 30 ? 2 : 100 + (30 - ago) * 10))] }),
      ).failureClass,
    ).toBe('queue-backlog');
    expect(
      diagnose(evidence({ series: [series('dead_letters', {}, (ago) => (ago > 30 ? 0 : 12))] })).failureClass,
    ).toBe('failed-jobs');
  });

  it('admits when nothing known explains an error spike', () => {
    const d = diagnose(evidence({ series: [series('error_ratio', {}, (ago) => (ago > 30 ? 0.01 : 0.3))] }));
    expect(d).toMatchObject({ failureClass: 'unknown', healthy: false, confidence: 'low' });
  });
});

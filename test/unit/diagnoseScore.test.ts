import { diagnose } from '../../core/diagnosis/diagnose';
import { confidenceOf, margin, scoreOf } from '../../core/diagnosis/score';
import type { Evidence } from '../../core/model/diagnosis';
import { deployed, evidence, series, service, since, targets, topology } from './evidence';

/** Every diagnosis carries a score behind its confidence, and says in plain words what it rests on. */

const badRelease = (releaseErrors: number, perRelease = true): Evidence =>
  evidence(
    deployed({
      release: 'v2',
      previousRelease: 'v1',
      secondsAgo: 60,
      by: 'ci',
      errors: since(60, 0.01, releaseErrors),
      ...(perRelease ? { releaseErrors: () => releaseErrors } : {}),
    }),
  );

describe('diagnosis score and evidence', () => {
  it('says which signal, where, the recent value, the baseline value and what the baseline is', () => {
    const d = diagnose(badRelease(0.48));
    expect(d.evidence).toContain(
      'error_ratio of checkout release v2: 0.48 over the last 30 s, 0.48 in the last 3 s, against 0.01 usually (quiet quartile of the 240 s before the deploy)',
    );
    expect(d.evidence).toContain('checkout moved to v2 at 2026-11-28T09:59:00.000Z (deployed by ci)');
    expect(d.evidence).toContain(
      'v1 served before the deploy at an error_ratio of 0.01: the release to return to',
    );
  });

  it('explains why the walk went down to a dependency', () => {
    const payments = service('payments', [series('error_ratio', {}, since(20, 0, 0.9))], {
      targets: [...targets('p1', 2, false), { id: 'payments-s', release: 'p1', healthy: true }],
    });
    payments.topology.weights = {};
    const d = diagnose(
      evidence(
        {
          topology: topology('checkout', targets('v1', 3), ['payments']),
          series: [series('error_ratio', {}, since(20, 0.01, 0.5))],
        },
        [payments],
      ),
    );
    expect(d.failureClass).toBe('dependency-outage');
    expect(d.evidence[0]).toMatch(
      /^error_ratio of checkout: 0\.\d\d over the last 30 s, against 0\.01 usually/,
    );
    expect(d.evidence[1]).toMatch(
      /^checkout calls payments, which still fails: error_ratio of payments: .*, 0\.90 in the last 3 s/,
    );
    expect(d.evidence).toContain(
      '2 of 3 targets of payments taking traffic fail health checks: checkout-0, checkout-1',
    );
  });

  it('scores stronger evidence higher: further above the baseline, and isolated by a per-release split', () => {
    const strong = diagnose(badRelease(0.5));
    const weak = diagnose(badRelease(0.08));
    const unsplit = diagnose(badRelease(0.5, false));
    for (const d of [strong, weak, unsplit]) expect(d.failureClass).toBe('bad-release');
    expect(strong.score).toBeGreaterThan(weak.score);
    expect(strong.score).toBeGreaterThan(unsplit.score);
    expect(strong.confidence).toBe('high');
    expect(weak.confidence).not.toBe('high');
  });

  it('derives confidence from the score, on every class and on health', () => {
    const cases: Evidence[] = [
      badRelease(0.4),
      badRelease(0.07, false),
      evidence({ series: [series('error_ratio', {}, () => 0.01)] }),
      evidence({ series: [series('error_ratio', {}, since(30, 0.01, 0.3))] }),
      evidence({ series: [series('queue_depth', {}, (ago) => (ago > 30 ? 2 : 100 + (30 - ago) * 10))] }),
      evidence({ series: [series('dead_letters', {}, since(30, 0, 12))] }),
      evidence({
        series: [
          series('memory_rss_mb', { target: 'checkout-0' }, () => 60),
          series('memory_rss_mb', { target: 'checkout-2' }, (ago) => (ago > 30 ? 60 : 60 + (30 - ago) * 5)),
        ],
      }),
    ];
    for (const ev of cases) {
      const d = diagnose(ev);
      expect(d.score).toBeGreaterThanOrEqual(0);
      expect(d.score).toBeLessThanOrEqual(1);
      expect(d.confidence).toBe(confidenceOf(d.score));
      expect(d.evidence.length).toBeGreaterThan(0);
    }
  });

  it('keeps what explains nothing low, and an unexplained error spike asks a human', () => {
    const d = diagnose(evidence({ series: [series('error_ratio', {}, since(30, 0.01, 0.3))] }));
    expect(d).toMatchObject({ failureClass: 'unknown', confidence: 'low', healthy: false });
    expect(d.score).toBeLessThan(0.5);
  });

  it('maps scores to confidence at 0.75 and 0.5, and margins from 0 at the threshold toward 1', () => {
    expect([confidenceOf(0.75), confidenceOf(0.74), confidenceOf(0.5), confidenceOf(0.49)]).toEqual([
      'high',
      'medium',
      'medium',
      'low',
    ]);
    expect(margin(0.05, 0.05)).toBe(0);
    expect(margin(0.5, 0.05)).toBeCloseTo(0.9, 5);
    expect(margin(Number.NaN, 0.05)).toBe(0);
    expect(scoreOf({ strength: 1, agreeing: 3, isolated: true })).toBeLessThanOrEqual(1);
    expect(scoreOf({ strength: 1, agreeing: 3, doubts: 1 })).toBeLessThan(
      scoreOf({ strength: 1, agreeing: 3 }),
    );
  });
});

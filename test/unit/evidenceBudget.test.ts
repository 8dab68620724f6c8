import { EVIDENCE_BYTE_BUDGET, fitEvidence } from '../../core/diagnosis/evidenceBudget';
import { evidence, series, targets, topology } from './evidence';

/** A wide incident: the alerting service and eleven dependencies, each with per-target series. */
function wideEvidence(targetsEach: number) {
  const perService = (service: string) => [
    series('error_ratio', {}, () => 0.01),
    series('latency_p95_ms', {}, () => 40),
    ...Array.from({ length: targetsEach }, (_, i) =>
      series('memory_rss_mb', { target: `${service}-${i}` }, () => 80),
    ),
  ];
  const deps = Array.from({ length: 11 }, (_, i) => ({
    service: `dep${i}`,
    topology: topology(`dep${i}`, targets('v1', targetsEach)),
    series: perService(`dep${i}`),
    deployments: [],
  }));
  return evidence({ series: perService('checkout') }, deps);
}

describe('evidence byte budget', () => {
  it('leaves evidence within the budget untouched', () => {
    const small = wideEvidence(1);
    expect(JSON.stringify(small).length).toBeLessThan(EVIDENCE_BYTE_BUDGET);
    expect(fitEvidence(small)).toEqual({ evidence: small });
  });

  it('fits wide evidence within the budget, keeping the alerting service’s targets and every service', () => {
    const wide = wideEvidence(12);
    expect(JSON.stringify(wide).length).toBeGreaterThan(EVIDENCE_BYTE_BUDGET);
    const { evidence: fitted, trimmed } = fitEvidence(wide);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(EVIDENCE_BYTE_BUDGET);
    expect(trimmed).toMatch(/per-target series of dependencies/);
    expect(fitted.services.map((s) => s.service)).toEqual(wide.services.map((s) => s.service));
    expect(fitted.services[0]!.series.filter((s) => s.labels.target)).toHaveLength(12);
    expect(fitted.services.slice(1).every((s) => s.series.every((x) => !x.labels.target))).toBe(true);
  });

  it('halves the resolution when dropping dependency targets is not enough, keeping the newest point', () => {
    const wide = wideEvidence(12);
    const { evidence: fitted, trimmed } = fitEvidence(wide, 64 * 1024);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(64 * 1024);
    expect(trimmed).toMatch(/resolution halved/);
    const before = wide.services[0]!.series[0]!.points;
    const after = fitted.services[0]!.series[0]!.points;
    expect(after.length).toBeLessThan(before.length);
    expect(after.at(-1)).toEqual(before.at(-1));
  });
});

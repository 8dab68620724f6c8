import type { Evidence } from '../model/diagnosis';
import type { MetricSeries } from '../model/signals';

/**
 * Evidence travels in the incident's history twice (gathering's result, diagnosis's input), and Temporal
 * warns past 512 KiB per payload and refuses 2 MB. Gathering keeps it within this budget, so a wide
 * dependency graph or a fleet of many targets never pushes an incident toward those limits.
 */
export const EVIDENCE_BYTE_BUDGET = 256 * 1024;

const size = (evidence: Evidence): number => JSON.stringify(evidence).length;

/** Every other point, keeping the newest: half the resolution over the same window. */
function halve(series: MetricSeries): MetricSeries {
  const n = series.points.length;
  return { ...series, points: series.points.filter((_, i) => (n - 1 - i) % 2 === 0) };
}

/**
 * The evidence within `budget` bytes of JSON. First the per-target series of dependencies go (diagnosis
 * reads targets on the root it blames, and the alerting service comes first); then every series loses
 * half its points, until it fits or a series is down to a handful of points. Says what it dropped.
 */
export function fitEvidence(
  evidence: Evidence,
  budget = EVIDENCE_BYTE_BUDGET,
): { evidence: Evidence; trimmed?: string } {
  if (size(evidence) <= budget) return { evidence };
  const steps: string[] = [];
  let fitted: Evidence = {
    ...evidence,
    services: evidence.services.map((s, i) =>
      i === 0 ? s : { ...s, series: s.series.filter((x) => x.labels.target === undefined) },
    ),
  };
  steps.push('per-target series of dependencies');
  for (let round = 1; size(fitted) > budget; round++) {
    const longest = Math.max(0, ...fitted.services.flatMap((s) => s.series.map((x) => x.points.length)));
    if (longest <= 8) break;
    fitted = { ...fitted, services: fitted.services.map((s) => ({ ...s, series: s.series.map(halve) })) };
    steps.push(`resolution halved (${round}×)`);
  }
  return { evidence: fitted, trimmed: `${steps.join(', ')}: ${size(evidence)} → ${size(fitted)} bytes` };
}

import type { ServiceEvidence } from '../model/diagnosis';
import type { Deployment } from '../model/signals';
import { formatValue, sentence } from './explain';
import { margin, scoreOf } from './score';
import { findSeries } from './stats';
import type { RootContext, Verdict } from './verdict';
import {
  at,
  compare,
  errorSpike,
  errorThreshold,
  finding,
  finite,
  latencySpike,
  latencyThreshold,
  tailOf,
  type Comparison,
  type Windows,
} from './windows';

/** The newest deploy in the lookback whose release still runs, not made by Homeostat itself. */
export function suspectDeploy(s: ServiceEvidence, w: Windows, lookbackMs: number): Deployment | undefined {
  const running = new Set(s.topology.targets.map((t) => t.release));
  return [...s.deployments]
    .filter(
      (d) => at(d.at) >= w.now - lookbackMs && running.has(d.release) && !d.by?.startsWith('homeostat:'),
    )
    .sort((a, b) => at(b.at) - at(a.at))[0];
}

interface ReleaseSignal {
  /** The release's recent values against the whole service before the deploy. */
  cmp: Comparison;
  tail: Comparison;
  /** Per-release series exist (the split isolates the release from the rest of the service). */
  perRelease: boolean;
}

/**
 * The release's own series where the platform has them; otherwise (CloudWatch has no release
 * dimension) the whole service after the deploy. Either way against the service before the deploy.
 */
function releaseSignal(root: ServiceEvidence, metric: string, deploy: Deployment, w: Windows): ReleaseSignal {
  const split = at(deploy.at);
  const whole = findSeries(root.series, metric);
  const own = findSeries(root.series, metric, { release: deploy.release });
  const before = compare(metric, whole, w, split);
  const after = own ? compare(metric, own, w) : before;
  const cmp: Comparison = { ...after, baseline: before.baseline, bounds: { ...after.bounds, split } };
  return { cmp, tail: tailOf(cmp, own ?? whole), perRelease: own !== undefined };
}

/**
 * A recent deploy whose release errs or slows, over the window and still in its last samples: errors
 * that only the rollout itself produced (replicas starting) and that are back at the baseline now do
 * not blame the release. Returns the verdict, or the deploy it looked at and cleared.
 */
export function badRelease(
  ctx: RootContext,
  lookbackMs: number,
): { verdict?: Verdict; cleared?: Deployment } {
  const { root, w, where } = ctx;
  const deploy = suspectDeploy(root, w, lookbackMs);
  if (!deploy) return {};
  const err = releaseSignal(root, 'error_ratio', deploy, w);
  const lat = releaseSignal(root, 'latency_p95_ms', deploy, w);
  const errUsual = err.cmp.baseline.quiet;
  const latUsual = lat.cmp.baseline.quiet;
  const errs = errorSpike(errUsual, err.cmp.recent.mean) && errorSpike(errUsual, err.tail.recent.mean);
  const slow = latencySpike(latUsual, lat.cmp.recent.mean) && latencySpike(latUsual, lat.tail.recent.mean);
  if (!errs && !slow) return { cleared: deploy };

  const scope = `${root.service} release ${deploy.release}`;
  const before = { before: 'before the deploy' };
  const evidence: string[] = [
    `${root.service} moved to ${deploy.release} at ${deploy.at}${deploy.by ? ` (deployed by ${deploy.by})` : ''}`,
  ];
  if (errs) {
    ctx.findings.push(finding(`release ${deploy.release}`, err.cmp, 'new release errs'));
    evidence.push(sentence(scope, err.cmp, { ...before, tail: err.tail }));
  }
  if (slow) {
    ctx.findings.push(finding(`release ${deploy.release}`, lat.cmp, 'new release slow'));
    evidence.push(sentence(scope, lat.cmp, { ...before, tail: lat.tail }));
  }
  const good = deploy.previousRelease;
  if (good)
    evidence.push(
      Number.isFinite(errUsual)
        ? `${good} served before the deploy at an error_ratio of ${formatValue('error_ratio', errUsual)}: the release to return to`
        : `${good} ran before the deploy: the release to return to`,
    );
  const strength = Math.max(
    errs ? margin(err.cmp.recent.mean, errorThreshold(errUsual)) : 0,
    slow ? margin(lat.cmp.recent.mean, latencyThreshold(latUsual)) : 0,
  );
  return {
    verdict: {
      failureClass: 'bad-release',
      summary: `release ${deploy.release} of ${where}, deployed ${deploy.at}${deploy.by ? ` by ${deploy.by}` : ''}, ${
        errs ? 'errs' : 'is slow'
      } since its deploy${good ? `; ${good} was healthy` : ''}`,
      score: scoreOf({
        strength,
        // The service-wide error ratio is not counted: it aggregates the release's own.
        agreeing: (errs && slow ? 1 : 0) + (good ? 1 : 0),
        isolated: err.perRelease || lat.perRelease,
      }),
      evidence,
      suspectRelease: deploy.release,
      ...(good ? { goodRelease: good } : {}),
      ...(deploy.by ? { suspectDeployedBy: deploy.by } : {}),
      suspectDeployedAt: deploy.at,
      affectedTargets: root.topology.targets.filter((t) => t.release === deploy.release).map((t) => t.id),
      baselines: { error_ratio: finite(errUsual) },
    },
  };
}

import { formatValue, percent, sentence } from './explain';
import { margin, scoreOf } from './score';
import { seriesFor } from './stats';
import type { RootContext, Verdict } from './verdict';
import { errorSpike, errorThreshold, finding, judge, usual } from './windows';

/** Cache reads must explain at least this share of the failed requests. */
const EXPLAINED_SHARE = 0.5;

/**
 * Corrupted cache: requests failing on corrupt cache entries (`cache_error_ratio`) rose against their
 * baseline, still do in the window's tail, and explain most of the service's failed requests. A
 * release the deploy rule cleared is not the cause; clearing the cache is the cure.
 */
export function corruptedCache(ctx: RootContext): Verdict | undefined {
  const { root, w } = ctx;
  const cache = judge(root, 'cache_error_ratio', w, errorSpike);
  if (!cache.holds) return undefined;
  const errors = ctx.errors.cmp.recent.mean;
  const share = errors > 0 ? Math.min(1, cache.cmp.recent.mean / errors) : 1;
  if (share < EXPLAINED_SHARE) return undefined;

  ctx.findings.push(finding(root.service, cache.cmp, 'requests fail on corrupt cache entries'));
  const evidence = [
    sentence(root.service, cache.cmp, { tail: cache.tail }),
    `cache reads explain ${percent(share)} of the failed requests of ${root.service} (error_ratio ${formatValue(
      'error_ratio',
      errors,
    )} over the same window)`,
  ];
  // Which targets serve corrupt entries, where the platform reports cache errors per target.
  const perTarget = seriesFor(root.series, 'cache_error_ratio', 'target');
  const corrupt = perTarget
    .map((s) => ({
      target: s.labels.target!,
      j: judge(root, 'cache_error_ratio', w, errorSpike, { target: s.labels.target! }),
    }))
    .filter((x) => x.j.holds);
  for (const { target, j } of corrupt) evidence.push(sentence(`${root.service} target ${target}`, j.cmp));
  if (ctx.unblamedDeploy)
    evidence.push(
      `the deploy of ${ctx.unblamedDeploy.release} at ${ctx.unblamedDeploy.at} is not to blame: that release's own errors are at the baseline now`,
    );
  return {
    failureClass: 'corrupted-cache',
    summary: `${percent(cache.tail.recent.mean)} of the requests of ${ctx.where} fail on corrupt cache entries lately${
      corrupt.length > 0 ? ` (${corrupt.map((c) => c.target).join(', ')})` : ''
    }`,
    score: scoreOf({
      strength: margin(cache.cmp.recent.mean, errorThreshold(usual(cache.cmp))),
      agreeing: (ctx.errors.holds ? 1 : 0) + (share >= 0.8 ? 1 : 0),
      isolated: corrupt.length > 0,
    }),
    evidence,
    affectedTargets: corrupt.map((c) => c.target),
    baselines: { cache_error_ratio: usual(cache.cmp) },
  };
}

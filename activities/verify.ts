import type { VerifyResult } from '../core/model/incidentState';
import type { CheckRequest } from '../core/model/plan';
import type { MetricSeries } from '../core/model/signals';
import { providerCall, requireProviders, type ActivityDeps } from './deps';

export type { CheckRequest } from '../core/model/plan';

/** Judges the samples of the chosen series in the window; pure, so the rule is tested on its own. */
export function judge(series: MetricSeries[], req: CheckRequest, from: number, to: number): VerifyResult {
  const { check } = req;
  const bound = [
    check.max !== undefined ? `≤ ${check.max}` : '',
    check.min !== undefined ? `≥ ${check.min}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const values = series.flatMap((s) => s.points.filter(([t]) => t >= from && t <= to).map(([, v]) => v));
  const result = { metric: check.metric, bound, samples: values.length, fastPath: req.fastPath };
  if (values.length === 0) {
    return {
      ...result,
      healthy: false,
      observed: null,
      detail: `no ${check.metric} samples since the action`,
    };
  }
  const worstHigh = Math.max(...values);
  const worstLow = Math.min(...values);
  const tooHigh = check.max !== undefined && worstHigh > check.max;
  const tooLow = check.min !== undefined && worstLow < check.min;
  const observed = tooLow ? worstLow : check.max !== undefined ? worstHigh : worstLow;
  const healthy = !tooHigh && !tooLow;
  return {
    ...result,
    healthy,
    observed,
    detail: `${check.metric} ${healthy ? 'held' : 'broke'} ${bound} over ${values.length} samples (worst ${
      Math.round(observed * 1000) / 1000
    })`,
  };
}

/** For a staged step, the narrowest series that covers its targets: per target, release or pool, else the service. */
export function chooseSeries(all: MetricSeries[], req: CheckRequest): MetricSeries[] {
  const serviceWide = all.filter((s) => !s.labels.target && !s.labels.release && !s.labels.pool);
  if (req.check.scope !== 'targets') return serviceWide;
  const { targets, releases } = req;
  const perTarget = targets
    ? all.filter((s) => s.labels.target !== undefined && targets.includes(s.labels.target))
    : [];
  if (perTarget.length > 0) return perTarget;
  const perRelease = releases
    ? all.filter(
        (s) => s.labels.release !== undefined && !s.labels.target && releases.includes(s.labels.release),
      )
    : [];
  if (perRelease.length > 0) return perRelease;
  const { pools } = req;
  const perPool = pools
    ? all.filter((s) => s.labels.pool !== undefined && !s.labels.target && pools.includes(s.labels.pool))
    : [];
  return perPool.length > 0 ? perPool : serviceWide;
}

export function verifyActivities(deps: ActivityDeps) {
  return {
    async checkHealth(req: CheckRequest): Promise<VerifyResult> {
      const p = requireProviders(deps);
      const to = Date.now();
      const from = Math.max(Date.parse(req.since), to - req.check.windowSeconds * 1000);
      const all = await providerCall(() =>
        p.signals.series({
          service: req.service,
          metrics: [req.check.metric],
          from: new Date(from),
          to: new Date(to),
          stepSeconds: 1,
          byRelease: true,
          byTarget: true,
        }),
      );
      return judge(chooseSeries(all, req), req, from, to);
    },
  };
}

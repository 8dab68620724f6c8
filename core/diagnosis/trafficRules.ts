import type { ServiceEvidence } from '../model/diagnosis';
import { formatValue, percent, sentence } from './explain';
import { margin, scoreOf } from './score';
import { findSeries, seriesFor } from './stats';
import type { RootContext, Verdict } from './verdict';
import {
  downServing,
  errorSpike,
  errorThreshold,
  finding,
  finite,
  judge,
  latencyThreshold,
  TAIL_POINTS,
  usual,
  type Judged,
  type Windows,
} from './windows';

/**
 * Rules about the path and the load: requests dying at a timeout while the replicas are healthy
 * (network-timeout: move traffic to the standby pool), and a service that ran out of request slots
 * under a rise in traffic (resource-exhaustion: scale out).
 */

/** Timeouts must make up at least this share of the failed requests. */
const TIMEOUT_SHARE = 0.5;
/** Latency samples over the spike threshold lie within this fraction of their median: a ceiling. */
const PINNED_SPREAD = 0.25;
/** Busy request slots / capacity from which a service is saturated, and its rise over the usual. */
const SATURATION_HIGH = 0.8;
const SATURATION_RISE = 0.2;
/** Traffic has risen when the recent rate is this many times its usual rate. */
const TRAFFIC_RISE = 1.3;
const LAG_FACTOR = 3;
const LAG_FLOOR_MS = 50;

/** Over the recent window (the fault's onset may lie inside it): clearly busier than usual. */
const busier = (u: number, recent: number): boolean =>
  recent >= Math.max(SATURATION_HIGH - 0.3, finite(u) + SATURATION_RISE);

/** Saturated: slots clearly busier than usual over the window, and nearly all busy in its last samples. */
function saturation(s: ServiceEvidence, w: Windows, labels: { target?: string } = {}): Judged {
  const j = judge(s, 'saturation', w, busier, labels);
  return { ...j, holds: j.holds && j.tail.recent.mean >= SATURATION_HIGH };
}
const lagging = (u: number, recent: number): boolean =>
  Number.isFinite(u) && recent > Math.max(u * LAG_FACTOR, u + LAG_FLOOR_MS);
const risen = (u: number, recent: number): boolean => u > 0 && recent >= u * TRAFFIC_RISE;

/**
 * p95 latency pinned at a ceiling, as a timeout pins it: the recent samples above the spike threshold
 * (at least TAIL_POINTS of them, the tail included) lie within PINNED_SPREAD of their median.
 */
function pinnedAt(
  latency: Judged,
  s: ServiceEvidence,
  w: Windows,
): { low: number; high: number } | undefined {
  if (!latency.holds) return undefined;
  const bar = latencyThreshold(usual(latency.cmp));
  const over = (findSeries(s.series, 'latency_p95_ms')?.points ?? [])
    .filter(([t, v]) => t >= w.recentFrom && t <= w.now && v > bar)
    .map(([, v]) => v)
    .sort((a, b) => a - b);
  if (over.length < TAIL_POINTS) return undefined;
  const median = over[Math.floor(over.length / 2)]!;
  const low = over[Math.floor(over.length * 0.1)]!;
  const high = over[Math.ceil(over.length * 0.9) - 1]!;
  return (high - low) / median <= PINNED_SPREAD ? { low, high } : undefined;
}

/** The first recent sample at which any of the series passed its bar (epoch ms), if any did. */
function onset(
  s: ServiceEvidence,
  w: Windows,
  bars: Array<{ metric: string; bar: number }>,
): number | undefined {
  const starts = bars.flatMap(({ metric, bar }) =>
    (findSeries(s.series, metric)?.points ?? [])
      .filter(([t, v]) => t >= w.recentFrom && t <= w.now && v > bar)
      .slice(0, 1)
      .map(([t]) => t),
  );
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

/**
 * Network timeout: on the root, requests end at a timeout (timeouts make up most of the failures, or
 * p95 latency is pinned at a ceiling while the service is not saturated), yet every target taking
 * traffic passes its health checks: the replicas answer, the path to them does not.
 */
export function networkTimeout(ctx: RootContext): Verdict | undefined {
  const { root, w } = ctx;
  if (downServing(root).length > 0) return undefined; // a cell or a target down: the rules before decide
  const timeouts = judge(root, 'timeout_ratio', w, errorSpike);
  const errors = ctx.errors.cmp.recent.mean;
  const share = errors > 0 ? Math.min(1, timeouts.cmp.recent.mean / errors) : 0;
  const dominate = timeouts.holds && share >= TIMEOUT_SHARE;
  const pinned = pinnedAt(ctx.latency, root, w);
  const busy = saturation(root, w);
  if (!dominate && !(pinned && !busy.holds)) return undefined;
  // A replica that hangs times its callers out before its health checks catch it: while the timeouts
  // are younger than the checks' reaction time, "every target is healthy" proves nothing yet.
  const began = onset(root, w, [
    ...(dominate ? [{ metric: 'timeout_ratio', bar: errorThreshold(usual(timeouts.cmp)) }] : []),
    ...(pinned ? [{ metric: 'latency_p95_ms', bar: latencyThreshold(usual(ctx.latency.cmp)) }] : []),
  ]);
  const checks = root.topology.healthCheckSeconds ?? 0;
  if (began !== undefined && w.now - began < checks * 1000) {
    ctx.evidence.push(
      `requests to ${root.service} began timing out ${((w.now - began) / 1000).toFixed(1)} s ago, sooner than its health checks (${checks} s) can tell a hung replica from a slow path`,
    );
    return undefined;
  }

  const evidence: string[] = [];
  if (timeouts.spiked) {
    ctx.findings.push(finding(root.service, timeouts.cmp, 'requests end at a timeout'));
    evidence.push(sentence(root.service, timeouts.cmp, { tail: timeouts.tail }));
    evidence.push(`timeouts are ${percent(share)} of the failed requests of ${root.service}`);
  }
  if (pinned) {
    evidence.push(
      `${sentence(root.service, ctx.latency.cmp, { tail: ctx.latency.tail })}; it stays between ${formatValue(
        'latency_p95_ms',
        pinned.low,
      )} and ${formatValue('latency_p95_ms', pinned.high)}, pinned like a timeout`,
    );
  }
  const all = root.topology.targets.length;
  evidence.push(
    `all ${all} targets of ${root.service} pass health checks: the replicas answer, the path to them does not`,
  );
  if (!busy.holds && Number.isFinite(busy.cmp.recent.mean))
    evidence.push(`${sentence(root.service, busy.cmp)}: the replicas are not overloaded`);
  // Where the platform slices by pool, the pool whose path times out.
  const slowPools = seriesFor(root.series, 'timeout_ratio', 'pool')
    .map((s) => ({
      pool: s.labels.pool!,
      j: judge(root, 'timeout_ratio', w, errorSpike, { pool: s.labels.pool! }),
    }))
    .filter((p) => p.j.holds);
  for (const p of slowPools) evidence.push(sentence(`${root.service} pool ${p.pool}`, p.j.cmp));

  const strength = dominate
    ? margin(timeouts.cmp.recent.mean, errorThreshold(usual(timeouts.cmp)))
    : margin(ctx.latency.cmp.recent.mean, latencyThreshold(usual(ctx.latency.cmp)));
  return {
    failureClass: 'network-timeout',
    summary: `requests to ${ctx.where} end at a timeout${
      dominate ? ` (${percent(timeouts.tail.recent.mean)} of them lately)` : ''
    } while all its targets pass health checks`,
    score: scoreOf({
      strength,
      agreeing: (dominate && pinned ? 1 : 0) + (ctx.viaDependency ? 1 : 0) + (ctx.errors.holds ? 1 : 0),
      isolated:
        slowPools.length > 0 && slowPools.length < new Set(root.topology.targets.map((t) => t.pool)).size,
    }),
    evidence,
    baselines: {
      latency_p95_ms: usual(ctx.latency.cmp),
      timeout_ratio: usual(timeouts.cmp),
    },
  };
}

/**
 * Resource exhaustion: the root's request slots are saturated (or its event loop lags) under traffic
 * that rose against its usual rate, and users feel it (errors or latency). Traffic that rose without
 * saturation, or saturation nobody feels, is not an incident.
 */
export function resourceExhaustion(ctx: RootContext): Verdict | undefined {
  const { root, w } = ctx;
  const busy = saturation(root, w);
  const lag = judge(root, 'event_loop_lag_ms', w, lagging);
  const traffic = judge(root, 'request_rate', w, risen);
  const impact = ctx.errors.holds || ctx.latency.holds;
  if (!(busy.holds || lag.holds) || !traffic.spiked || !impact) return undefined;

  const evidence = [sentence(root.service, traffic.cmp)];
  ctx.findings.push(finding(root.service, traffic.cmp, 'traffic rose'));
  if (busy.holds) {
    ctx.findings.push(finding(root.service, busy.cmp, 'request slots saturated'));
    evidence.push(sentence(root.service, busy.cmp, { tail: busy.tail }));
  }
  if (lag.holds) {
    ctx.findings.push(finding(root.service, lag.cmp, 'event loop lags'));
    evidence.push(sentence(root.service, lag.cmp, { tail: lag.tail }));
  }
  if (ctx.errors.holds) evidence.push(sentence(root.service, ctx.errors.cmp, { tail: ctx.errors.tail }));
  if (ctx.latency.holds) evidence.push(sentence(root.service, ctx.latency.cmp, { tail: ctx.latency.tail }));
  if (ctx.unblamedDeploy)
    evidence.push(
      `a deploy of ${ctx.unblamedDeploy.release} at ${ctx.unblamedDeploy.at} was set aside: that release's own errors and latency are at the baseline`,
    );
  // How much of the headroom the service had is used up now.
  const headroom = (j: Judged): number => {
    const u = finite(usual(j.cmp));
    return u >= 1 ? 1 : (j.cmp.recent.mean - u) / (1 - u);
  };
  const perTarget = seriesFor(root.series, 'saturation', 'target')
    .filter((s) => saturation(root, w, { target: s.labels.target! }).holds)
    .map((s) => s.labels.target!);
  return {
    failureClass: 'resource-exhaustion',
    summary: `${ctx.where} ran out of capacity: traffic rose ${(
      traffic.cmp.recent.mean / usual(traffic.cmp)
    ).toFixed(1)}× to ${formatValue('request_rate', traffic.cmp.recent.mean)}${
      busy.holds
        ? ` and ${percent(busy.cmp.recent.mean)} of its request slots are busy`
        : ' and its event loop lags'
    }`,
    score: scoreOf({
      strength: busy.holds
        ? headroom(busy)
        : margin(lag.cmp.recent.mean, Math.max(usual(lag.cmp) * LAG_FACTOR, 1)),
      agreeing:
        1 + (ctx.errors.holds ? 1 : 0) + (ctx.latency.holds ? 1 : 0) + (busy.holds && lag.holds ? 1 : 0),
      isolated: perTarget.length > 0,
      doubts: ctx.unblamedDeploy ? 1 : 0,
    }),
    evidence,
    affectedTargets: perTarget,
    baselines: { latency_p95_ms: usual(ctx.latency.cmp), request_rate: usual(traffic.cmp) },
  };
}

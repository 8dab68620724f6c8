import { sentence } from './explain';
import { margin, scoreOf } from './score';
import { seriesFor } from './stats';
import type { RootContext, Verdict } from './verdict';
import { compare, downServing, finding, finite } from './windows';

/** Rules about individual targets: some stopped answering, or one's memory climbs. */

const MEMORY_FACTOR = 1.5;
const MEMORY_SLOPE_MB_PER_S = 0.5;

function downSentence(ctx: RootContext, down: string[]): string {
  const all = ctx.root.topology.targets.length;
  return `${down.length} of ${all} targets of ${ctx.root.service} taking traffic fail health checks: ${down.join(', ')}`;
}

/**
 * Most targets down at once: a cell outage, not a process fault; move traffic rather than restart. Seen
 * from a caller (the dependency walk led here), or on the service itself when another pool still has
 * healthy targets to take the traffic (alerts on the failing service itself must reach the same verdict
 * as alerts on its callers).
 */
export function cellDown(ctx: RootContext): Verdict | undefined {
  const downTargets = downServing(ctx.root);
  const down = downTargets.map((t) => t.id);
  const all = ctx.root.topology.targets.length;
  if (down.length === 0 || down.length * 2 < all) return undefined;
  const downPools = new Set(downTargets.map((t) => t.pool));
  const spare = ctx.root.topology.targets.filter((t) => t.healthy && t.pool && !downPools.has(t.pool));
  if (!ctx.viaDependency && spare.length === 0) return undefined;
  const evidence = [downSentence(ctx, down)];
  if (spare.length > 0)
    evidence.push(
      `pool ${[...new Set(spare.map((t) => t.pool))].join(', ')} of ${ctx.root.service} is healthy (${spare.length} target(s))`,
    );
  return {
    failureClass: 'dependency-outage',
    summary: `${down.length}/${all} targets of ${ctx.where} are down: ${down.join(', ')}`,
    score: scoreOf({ strength: down.length / all, agreeing: 1 + (ctx.errors.spiked ? 1 : 0) }),
    evidence,
    affectedTargets: down,
  };
}

/** Some targets stopped answering while others serve: restart them. */
export function stuckTargets(ctx: RootContext): Verdict | undefined {
  const down = downServing(ctx.root).map((t) => t.id);
  if (down.length === 0) return undefined;
  const all = ctx.root.topology.targets.length;
  return {
    failureClass: 'deadlock',
    summary: `${down.length} of ${all} targets of ${ctx.where} do not answer health checks: ${down.join(', ')}`,
    score: scoreOf({
      strength: down.length / all,
      agreeing: (ctx.errors.spiked ? 1 : 0) + (ctx.latency.spiked ? 1 : 0),
    }),
    evidence: [downSentence(ctx, down)],
    affectedTargets: down,
  };
}

/** Memory growth, per target where the platform reports it: restart the leaking ones. */
export function leakingTargets(ctx: RootContext): Verdict | undefined {
  const perTarget = seriesFor(ctx.root.series, 'memory_rss_mb', 'target').map((s) => ({
    target: s.labels.target!,
    m: compare('memory_rss_mb', s, ctx.w),
  }));
  const bar = (m: (typeof perTarget)[number]['m']): number =>
    finite(m.baseline.median, m.recent.min) * MEMORY_FACTOR;
  const leaking = perTarget.filter(
    ({ m }) => m.recent.slopePerSecond > MEMORY_SLOPE_MB_PER_S && m.recent.max > bar(m),
  );
  if (leaking.length === 0) return undefined;
  const evidence = leaking.map(
    ({ target, m }) =>
      `${sentence(`${ctx.root.service} target ${target}`, m, { recent: 'max' })}, climbing ${m.recent.slopePerSecond.toFixed(1)} MB/s`,
  );
  for (const { target, m } of leaking) ctx.findings.push(finding(`target ${target}`, m, 'memory climbing'));
  const flat = perTarget.length - leaking.length;
  if (flat > 0) evidence.push(`the other ${flat} target(s) of ${ctx.root.service} keep their memory flat`);
  const strongest = Math.max(...leaking.map(({ m }) => margin(m.recent.max, bar(m))));
  return {
    failureClass: 'memory-leak',
    summary: `memory of ${leaking.map((l) => l.target).join(', ')} (${ctx.where}) climbs steadily above its baseline`,
    score: scoreOf({
      strength: strongest,
      agreeing: leaking.some(({ m }) => m.recent.slopePerSecond > 4 * MEMORY_SLOPE_MB_PER_S) ? 1 : 0,
      isolated: flat > 0,
    }),
    evidence,
    affectedTargets: leaking.map((l) => l.target),
  };
}

// Over 300 lines on purpose: the rules below are read together, in the order they take precedence;
// split across files that order would be lost. Each rule is a small function of its own.
import type { Diagnosis, Evidence, Finding, ServiceEvidence } from '../model/diagnosis';
import type { Deployment, MetricSeries, Target } from '../model/signals';
import { findSeries, seriesFor, windowStats, type WindowStats } from './stats';

/**
 * First, honest rules over gathered evidence. Each compares the recent window (its mean) with the
 * service's own past (the quiet quartile of the baseline window for errors and latency, the median for
 * the rest, or of the time before a deploy, so an earlier incident inside that window does not raise the
 * bar), not with fixed thresholds alone.
 *
 * 1. Walk the dependency graph from the alerting service: while a dependency is failing, the root cause
 *    lies further down. The deepest failing service is the root. A dependency must still fail in the
 *    window's last samples: one that recovered moments ago does not take the blame for its caller.
 * 2. On the root: a recent deploy whose release errs or slows → bad-release (roll back); most of its
 *    targets down when it is a dependency → dependency-outage (reroute around the cell); some targets not
 *    answering → deadlock (restart them); memory climbing → memory-leak (restart); a growing queue →
 *    queue-backlog (scale); dead letters → failed-jobs (replay); a failing dependency with none of these
 *    → dependency-outage; anything else anomalous → unknown (a human decides).
 */

const ERROR_FLOOR = 0.05;
const ERROR_FACTOR = 3;
const LATENCY_FACTOR = 2;
const LATENCY_FLOOR_MS = 200;
const MEMORY_FACTOR = 1.5;
const MEMORY_SLOPE_MB_PER_S = 0.5;
const QUEUE_FLOOR = 50;
const MAX_DEPTH = 5;
/** Metrics judged against their quiet quartile rather than their median (see WindowStats.quiet). */
const QUIET_BASELINE = new Set(['error_ratio', 'latency_p95_ms']);

export interface DiagnoseOptions {
  /** Deploys older than this before the evidence was gathered are not suspects. */
  deployLookbackSeconds?: number;
}

const at = (iso: string): number => Date.parse(iso);
const finite = (n: number, fallback = 0): number => (Number.isFinite(n) ? n : fallback);

function errorSpike(baseline: number, recent: number): boolean {
  return Number.isFinite(recent) && recent > Math.max(ERROR_FLOOR, finite(baseline) * ERROR_FACTOR + 0.02);
}

function latencySpike(baseline: number, recent: number): boolean {
  if (!Number.isFinite(recent) || !Number.isFinite(baseline)) return false;
  return recent > Math.max(baseline * LATENCY_FACTOR, baseline + LATENCY_FLOOR_MS);
}

interface Windows {
  baselineFrom: number;
  recentFrom: number;
  now: number;
}

interface Comparison {
  baseline: WindowStats;
  recent: WindowStats;
}

/** Baseline = [baselineFrom, split), recent = [max(split, recentFrom), now]. */
function compare(series: MetricSeries | undefined, w: Windows, split = w.recentFrom): Comparison {
  const points = series?.points ?? [];
  return {
    baseline: windowStats(points, w.baselineFrom, split),
    recent: windowStats(points, Math.max(split, w.recentFrom), w.now + 1),
  };
}

function finding(metric: string, scope: string, cmp: Comparison, note: string): Finding {
  const round = (n: number): number => Math.round(finite(n) * 1000) / 1000;
  const usual = QUIET_BASELINE.has(metric) ? cmp.baseline.quiet : cmp.baseline.median;
  return { metric, scope, baseline: round(usual), recent: round(cmp.recent.mean), note };
}

/** The last samples of the recent window: where "still failing" is judged. */
const TAIL_POINTS = 3;

/** The recent window's last TAIL_POINTS samples, against the same baseline. */
function tailOf(series: MetricSeries | undefined, w: Windows): Comparison {
  const inRecent = (series?.points ?? []).filter(([t]) => t >= w.recentFrom && t <= w.now);
  const from = inRecent.at(-TAIL_POINTS)?.[0] ?? w.recentFrom;
  const whole = compare(series, w);
  return { baseline: whole.baseline, recent: windowStats(series?.points ?? [], from, w.now + 1) };
}

/**
 * Is this service failing (errors or latency up against its own baseline, or most targets down)?
 * With `stillFailing`, a spike must also hold in the window's last samples: a dependency that recovered
 * seconds ago (a reroute that just finished) is not the root cause of its caller's errors now.
 */
function failing(
  s: ServiceEvidence,
  w: Windows,
  opts: { stillFailing?: boolean } = {},
): { failing: boolean; findings: Finding[] } {
  const check = (
    metric: string,
    spike: (baseline: number, recent: number) => boolean,
  ): Comparison | undefined => {
    const series = findSeries(s.series, metric);
    const cmp = compare(series, w);
    if (!spike(cmp.baseline.quiet, cmp.recent.mean)) return undefined;
    if (opts.stillFailing) {
      const tail = tailOf(series, w);
      if (!spike(tail.baseline.quiet, tail.recent.mean)) return undefined;
    }
    return cmp;
  };
  const findings: Finding[] = [];
  const err = check('error_ratio', errorSpike);
  if (err) findings.push(finding('error_ratio', s.service, err, 'error ratio spiked'));
  const lat = check('latency_p95_ms', latencySpike);
  if (lat) findings.push(finding('latency_p95_ms', s.service, lat, 'p95 latency rose'));
  const down = downServing(s).length;
  if (down > 0 && down * 2 >= s.topology.targets.length) {
    findings.push({
      metric: 'healthy_targets',
      scope: s.service,
      baseline: s.topology.targets.length,
      recent: s.topology.targets.length - down,
      note: 'most targets down',
    });
  }
  return { failing: findings.length > 0, findings };
}

/**
 * Unhealthy targets that take traffic. A target in a pool weighted to 0 (a cell already drained) is
 * not why the service hurts now; restarting or rerouting for it would be acting on old news.
 */
function downServing(s: ServiceEvidence): Target[] {
  const weights = s.topology.weights;
  return s.topology.targets.filter((t) => !t.healthy && !(t.pool && weights[t.pool] === 0));
}

function suspectDeploy(s: ServiceEvidence, w: Windows, lookbackMs: number): Deployment | undefined {
  const running = new Set(s.topology.targets.map((t) => t.release));
  return [...s.deployments]
    .filter(
      (d) => at(d.at) >= w.now - lookbackMs && running.has(d.release) && !d.by?.startsWith('homeostat:'),
    )
    .sort((a, b) => at(b.at) - at(a.at))[0];
}

export function diagnose(ev: Evidence, opts: DiagnoseOptions = {}): Diagnosis {
  const w: Windows = {
    baselineFrom: at(ev.baselineFrom),
    recentFrom: at(ev.recentFrom),
    now: at(ev.gatheredAt),
  };
  const byName = new Map(ev.services.map((s) => [s.service, s]));
  const alerting = byName.get(ev.service);
  if (!alerting) throw new Error(`no evidence gathered for ${ev.service}`);

  // 1. Walk down while a dependency fails.
  const path = [alerting];
  const findings: Finding[] = [...failing(alerting, w).findings];
  let root = alerting;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const next = root.topology.dependencies
      .map((d) => byName.get(d))
      .filter((d): d is ServiceEvidence => d !== undefined && !path.includes(d))
      .map((d) => ({ d, f: failing(d, w, { stillFailing: true }) }))
      .find((x) => x.f.failing);
    if (!next) break;
    findings.push(...next.f.findings.map((f) => ({ ...f, scope: `dependency ${f.scope}` })));
    path.push(next.d);
    root = next.d;
  }
  const viaDependency = root !== alerting;
  const chain = path.map((s) => s.service).join(' → ');
  const err = compare(findSeries(root.series, 'error_ratio'), w);
  const baselines: Record<string, number> = { error_ratio: finite(err.baseline.quiet) };
  const base = {
    rootService: root.service,
    findings,
    baselines,
    affectedTargets: [] as string[],
    healthy: false,
  };
  const where = viaDependency ? `${root.service} (root cause of ${chain})` : root.service;

  // 2a. Bad release: the suspect release against the service before its deploy.
  const deploy = suspectDeploy(root, w, (opts.deployLookbackSeconds ?? 900) * 1000);
  if (deploy) {
    const split = at(deploy.at);
    // Per-release series where the platform has them; otherwise (CloudWatch has no release dimension)
    // the whole service after the deploy, against the same service before it.
    const releaseOr = (metric: string): Comparison =>
      findSeries(root.series, metric, { release: deploy.release })
        ? compare(findSeries(root.series, metric, { release: deploy.release }), w)
        : compare(findSeries(root.series, metric), w, split);
    const relErr = releaseOr('error_ratio');
    const relLat = releaseOr('latency_p95_ms');
    const before = compare(findSeries(root.series, 'error_ratio'), w, split).baseline;
    const beforeLat = compare(findSeries(root.series, 'latency_p95_ms'), w, split).baseline;
    const releaseErrs = errorSpike(before.quiet, relErr.recent.mean);
    const releaseSlow = latencySpike(beforeLat.quiet, relLat.recent.mean);
    if (releaseErrs || releaseSlow) {
      if (releaseErrs)
        findings.push(finding('error_ratio', `release ${deploy.release}`, relErr, 'new release errs'));
      if (releaseSlow)
        findings.push(finding('latency_p95_ms', `release ${deploy.release}`, relLat, 'new release slow'));
      const good = deploy.previousRelease;
      return {
        ...base,
        failureClass: 'bad-release',
        confidence: good ? 'high' : 'medium',
        summary: `release ${deploy.release} of ${where}, deployed ${deploy.at}${deploy.by ? ` by ${deploy.by}` : ''}, ${
          releaseErrs ? 'errs' : 'is slow'
        } since its deploy${good ? `; ${good} was healthy` : ''}`,
        suspectRelease: deploy.release,
        ...(good ? { goodRelease: good } : {}),
        ...(deploy.by ? { suspectDeployedBy: deploy.by } : {}),
        suspectDeployedAt: deploy.at,
        affectedTargets: root.topology.targets.filter((t) => t.release === deploy.release).map((t) => t.id),
        baselines: { ...baselines, error_ratio: finite(before.quiet) },
      };
    }
  }

  const down = downServing(root).map((t) => t.id);
  // 2b. A dependency with most of its targets down: a cell outage; move traffic rather than restart.
  if (viaDependency && down.length * 2 >= root.topology.targets.length && down.length > 0) {
    return {
      ...base,
      failureClass: 'dependency-outage',
      confidence: 'medium',
      summary: `${down.length}/${root.topology.targets.length} targets of ${where} are down: ${down.join(', ')}`,
      affectedTargets: down,
    };
  }

  // 2c. Some targets stopped answering.
  if (down.length > 0) {
    return {
      ...base,
      failureClass: 'deadlock',
      confidence: 'medium',
      summary: `${down.length} of ${root.topology.targets.length} targets of ${where} do not answer health checks: ${down.join(', ')}`,
      affectedTargets: down,
    };
  }

  // 2d. Memory growth, per target where the platform reports it.
  const leaking = seriesFor(root.series, 'memory_rss_mb', 'target').filter((s) => {
    const m = compare(s, w);
    return (
      m.recent.slopePerSecond > MEMORY_SLOPE_MB_PER_S &&
      m.recent.max > finite(m.baseline.median, m.recent.min) * MEMORY_FACTOR
    );
  });
  if (leaking.length > 0) {
    for (const s of leaking)
      findings.push(finding('memory_rss_mb', `target ${s.labels.target}`, compare(s, w), 'memory climbing'));
    return {
      ...base,
      failureClass: 'memory-leak',
      confidence: 'medium',
      summary: `memory of ${leaking.map((s) => s.labels.target).join(', ')} (${where}) climbs steadily above its baseline`,
      affectedTargets: leaking.map((s) => s.labels.target!),
    };
  }

  // 2e. Work piling up.
  const queue = compare(findSeries(root.series, 'queue_depth'), w);
  if (
    queue.recent.mean > Math.max(QUEUE_FLOOR, finite(queue.baseline.median) * 3) &&
    queue.recent.slopePerSecond >= 0
  ) {
    findings.push(finding('queue_depth', root.service, queue, 'queue backlog growing'));
    return {
      ...base,
      failureClass: 'queue-backlog',
      confidence: 'medium',
      summary: `the queue of ${where} holds ${Math.round(queue.recent.last)} items and is not draining`,
      baselines: { ...baselines, queue_depth: finite(queue.baseline.median) },
    };
  }
  const dead = compare(findSeries(root.series, 'dead_letters'), w);
  if (dead.recent.last > 0 && dead.recent.last > finite(dead.baseline.median)) {
    findings.push(finding('dead_letters', root.service, dead, 'dead letters waiting'));
    return {
      ...base,
      failureClass: 'failed-jobs',
      confidence: 'medium',
      summary: `${Math.round(dead.recent.last)} failed jobs of ${where} wait in the dead-letter list`,
    };
  }

  if (viaDependency) {
    return {
      ...base,
      failureClass: 'dependency-outage',
      confidence: 'low',
      summary: `${chain}: ${root.service} fails and no known pattern of its own explains it`,
    };
  }
  const anomalous = findings.length > 0;
  return {
    ...base,
    failureClass: 'unknown',
    confidence: 'low',
    summary: anomalous
      ? `${root.service} is unhealthy (${findings.map((f) => f.note).join(', ')}) and no known pattern explains it`
      : `${root.service} looks healthy: nothing in the last window stands out from its baseline`,
    healthy: !anomalous,
  };
}

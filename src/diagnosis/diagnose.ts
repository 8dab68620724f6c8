import type { Diagnosis, Evidence, Finding } from '../model/diagnosis';
import type { Deployment, MetricSeries } from '../model/signals';
import { findSeries, seriesFor, windowStats } from './stats';

/**
 * First, honest rules over gathered evidence. Each compares the recent window with the service's own
 * past (the baseline window, or the time before a deploy), not with fixed thresholds alone:
 * 1. a recent deploy whose release errs or slows more than before → bad-release (roll back);
 * 2. a dependency failing while this service suffers → dependency-outage (act on the dependency);
 * 3. targets that stopped answering → deadlock (restart them);
 * 4. memory climbing well above its baseline → memory-leak (restart);
 * 5. a queue growing / dead letters piling up → queue-backlog (scale) / failed-jobs (replay);
 * anything else anomalous → unknown (a human decides).
 */

/** Error ratio this far above its baseline (and above a floor) counts as a spike. */
const ERROR_FLOOR = 0.05;
const ERROR_FACTOR = 3;
const LATENCY_FACTOR = 2;
const LATENCY_FLOOR_MS = 200;
const MEMORY_FACTOR = 1.5;
const MEMORY_SLOPE_MB_PER_S = 0.5;
const QUEUE_FLOOR = 50;

export interface DiagnoseOptions {
  /** Deploys older than this before the evidence was gathered are not suspects. */
  deployLookbackSeconds?: number;
}

const at = (iso: string): number => Date.parse(iso);

function errorSpike(baseline: number, recent: number): boolean {
  const b = Number.isFinite(baseline) ? baseline : 0;
  return Number.isFinite(recent) && recent > Math.max(ERROR_FLOOR, b * ERROR_FACTOR + 0.02);
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

function compare(series: MetricSeries | undefined, w: Windows, split = w.recentFrom) {
  const points = series?.points ?? [];
  return {
    baseline: windowStats(points, w.baselineFrom, split),
    recent: windowStats(points, Math.max(split, w.recentFrom), w.now + 1),
  };
}

function suspectDeploy(ev: Evidence, w: Windows, lookbackMs: number): Deployment | undefined {
  const running = new Set(ev.topology.targets.map((t) => t.release));
  return [...ev.deployments]
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
  const findings: Finding[] = [];
  const svc = ev.service;
  const err = compare(findSeries(ev.series, 'error_ratio'), w);
  const lat = compare(findSeries(ev.series, 'latency_p95_ms'), w);
  const baselines: Record<string, number> = {
    error_ratio: Number.isFinite(err.baseline.mean) ? err.baseline.mean : 0,
    latency_p95_ms: lat.baseline.mean,
  };
  const serviceErrors = errorSpike(err.baseline.mean, err.recent.mean);
  const serviceSlow = latencySpike(lat.baseline.mean, lat.recent.mean);
  if (serviceErrors) findings.push(finding('error_ratio', svc, err, 'error ratio spiked'));
  if (serviceSlow) findings.push(finding('latency_p95_ms', svc, lat, 'p95 latency rose'));
  const base = { rootService: svc, findings, baselines, affectedTargets: [] as string[] };

  // 1. Bad release: compare the suspect release with the service before its deploy.
  const deploy = suspectDeploy(ev, w, (opts.deployLookbackSeconds ?? 900) * 1000);
  if (deploy) {
    const split = at(deploy.at);
    const relErr = compare(findSeries(ev.series, 'error_ratio', { release: deploy.release }), w);
    const relLat = compare(findSeries(ev.series, 'latency_p95_ms', { release: deploy.release }), w);
    const before = compare(findSeries(ev.series, 'error_ratio'), w, split).baseline;
    const beforeLat = compare(findSeries(ev.series, 'latency_p95_ms'), w, split).baseline;
    const releaseErrs = errorSpike(before.mean, relErr.recent.mean);
    const releaseSlow = latencySpike(beforeLat.mean, relLat.recent.mean);
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
        summary: `release ${deploy.release} of ${svc} (deployed ${deploy.at}${deploy.by ? ` by ${deploy.by}` : ''}) ${
          releaseErrs ? 'errs' : 'is slow'
        } since its deploy${good ? `; ${good} was healthy` : ''}`,
        suspectRelease: deploy.release,
        ...(good ? { goodRelease: good } : {}),
        ...(deploy.by ? { suspectDeployedBy: deploy.by } : {}),
        suspectDeployedAt: deploy.at,
        affectedTargets: ev.topology.targets.filter((t) => t.release === deploy.release).map((t) => t.id),
        baselines: { ...baselines, error_ratio: Number.isFinite(before.mean) ? before.mean : 0 },
        healthy: false,
      };
    }
  }

  // 2. A failing dependency explains this service's pain.
  if (serviceErrors || serviceSlow) {
    for (const dep of ev.dependencies) {
      const depErr = compare(findSeries(dep.series, 'error_ratio'), w);
      const unhealthy = dep.topology.targets.filter((t) => !t.healthy).map((t) => t.id);
      const mostlyDown = unhealthy.length * 2 > dep.topology.targets.length;
      if (errorSpike(depErr.baseline.mean, depErr.recent.mean) || mostlyDown) {
        findings.push(finding('error_ratio', `dependency ${dep.service}`, depErr, 'dependency failing'));
        return {
          ...base,
          failureClass: 'dependency-outage',
          rootService: dep.service,
          confidence: 'medium',
          summary: `${svc} suffers because its dependency ${dep.service} fails (${unhealthy.length}/${dep.topology.targets.length} targets unhealthy)`,
          affectedTargets: unhealthy,
          healthy: false,
        };
      }
    }
  }

  // 3. Targets that stopped answering.
  const stuck = ev.topology.targets.filter((t) => !t.healthy).map((t) => t.id);
  if (stuck.length > 0) {
    return {
      ...base,
      failureClass: 'deadlock',
      confidence: 'medium',
      summary: `${stuck.length} of ${ev.topology.targets.length} targets of ${svc} do not answer health checks: ${stuck.join(', ')}`,
      affectedTargets: stuck,
      healthy: false,
    };
  }

  // 4. Memory growth, per target where the platform reports it.
  const leaking = seriesFor(ev.series, 'memory_rss_mb', 'target').filter((s) => {
    const m = compare(s, w);
    return m.recent.slopePerSecond > MEMORY_SLOPE_MB_PER_S && m.recent.max > m.baseline.mean * MEMORY_FACTOR;
  });
  if (leaking.length > 0) {
    for (const s of leaking)
      findings.push(finding('memory_rss_mb', `target ${s.labels.target}`, compare(s, w), 'memory climbing'));
    return {
      ...base,
      failureClass: 'memory-leak',
      confidence: 'medium',
      summary: `memory of ${leaking.map((s) => s.labels.target).join(', ')} climbs steadily above its baseline`,
      affectedTargets: leaking.map((s) => s.labels.target!),
      healthy: false,
    };
  }

  // 5. Work piling up.
  const queue = compare(findSeries(ev.series, 'queue_depth'), w);
  if (
    queue.recent.mean > Math.max(QUEUE_FLOOR, (queue.baseline.mean || 0) * 3) &&
    queue.recent.slopePerSecond >= 0
  ) {
    findings.push(finding('queue_depth', svc, queue, 'queue backlog growing'));
    return {
      ...base,
      failureClass: 'queue-backlog',
      confidence: 'medium',
      summary: `the queue of ${svc} holds ${Math.round(queue.recent.last)} items and is not draining`,
      baselines: {
        ...baselines,
        queue_depth: Number.isFinite(queue.baseline.mean) ? queue.baseline.mean : 0,
      },
      healthy: false,
    };
  }
  const dead = compare(findSeries(ev.series, 'dead_letters'), w);
  if (dead.recent.last > 0 && !(dead.recent.last <= (dead.baseline.mean || 0))) {
    findings.push(finding('dead_letters', svc, dead, 'dead letters waiting'));
    return {
      ...base,
      failureClass: 'failed-jobs',
      confidence: 'medium',
      summary: `${Math.round(dead.recent.last)} failed jobs of ${svc} wait in the dead-letter list`,
      healthy: false,
    };
  }

  const anomalous = serviceErrors || serviceSlow;
  return {
    ...base,
    failureClass: 'unknown',
    confidence: 'low',
    summary: anomalous
      ? `${svc} is unhealthy (${findings.map((f) => f.note).join(', ')}) and no known pattern explains it`
      : `${svc} looks healthy: nothing in the last window stands out from its baseline`,
    healthy: !anomalous,
  };
}

function finding(
  metric: string,
  scope: string,
  cmp: { baseline: { mean: number }; recent: { mean: number } },
  note: string,
): Finding {
  const round = (n: number): number => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : 0);
  return { metric, scope, baseline: round(cmp.baseline.mean), recent: round(cmp.recent.mean), note };
}

import { MEMORY_LIMIT_MB } from './faultScenarios';
import type { FleetState } from './fleetModel';
import type { JobQueues } from './jobQueue';
import type { RequestOutcome } from './proxy';
import { HEALTH_CHECK_EVERY_MS, type ReplicaProcess } from './replicaProcess';
import type { ProxyMetrics } from './proxyMetrics';
import type { SeriesStore, SliceKind } from './seriesStore';
import { serviceSpec } from './services';

function p95(latencies: number[]): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Once a second: health-checks every replica, enforces the memory limit (an OOM killer), and turns the
 * proxies' request outcomes and the replicas' vitals into samples in the series store.
 */
export class MetricsSampler {
  private readonly pending = new Map<string, RequestOutcome[]>();
  private lastSample = Date.now();
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly state: FleetState,
    private readonly store: SeriesStore,
    private readonly queues: JobQueues,
    private readonly replicasOf: (service: string) => readonly ReplicaProcess[],
    private readonly onTick: () => void,
    private readonly windowMs: number,
    private readonly prometheus: ProxyMetrics,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), HEALTH_CHECK_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  record(service: string, outcome: RequestOutcome): void {
    this.prometheus.record(service, outcome);
    let list = this.pending.get(service);
    if (!list) this.pending.set(service, (list = []));
    list.push(outcome);
  }

  private async tick(): Promise<void> {
    if (this.running) return; // a slow round of health checks never stacks up
    this.running = true;
    try {
      const all = Object.keys(this.state.services).flatMap((s) => [...this.replicasOf(s)]);
      await Promise.all(all.map((r) => r.checkHealth()));
      for (const replica of all) {
        const rss = replica.readRssMb();
        if (rss !== undefined && rss > MEMORY_LIMIT_MB)
          replica.kill(`OOMKilled: RSS above ${MEMORY_LIMIT_MB} MB`);
      }
      const now = Date.now();
      const seconds = Math.max(0.001, (now - this.lastSample) / 1000);
      this.lastSample = now;
      // Gauges of replicas that are gone must not linger (a removed target is not saturated).
      this.prometheus.saturation.reset();
      for (const service of Object.keys(this.state.services)) this.sample(service, now, seconds);
      this.store.prune(now - this.windowMs);
      this.onTick();
    } finally {
      this.running = false;
    }
  }

  private sample(service: string, now: number, seconds: number): void {
    const put = (metric: string, kind: SliceKind, label: string, value: number): void =>
      this.store.record(service, metric, kind, label, now, value);
    const outcomes = this.pending.get(service) ?? [];
    this.pending.set(service, []);

    const share = (list: RequestOutcome[], hit: (o: RequestOutcome) => boolean): number =>
      round(list.filter(hit).length / list.length);
    const red = (kind: SliceKind, label: string, list: RequestOutcome[]): void => {
      put('request_rate', kind, label, round(list.length / seconds));
      if (list.length === 0) return;
      put(
        'error_ratio',
        kind,
        label,
        share(list, (o) => o.status >= 500),
      );
      put(
        'timeout_ratio',
        kind,
        label,
        share(list, (o) => o.cause === 'timeout'),
      );
      // A cache belongs to a replica: by service and by target, not by release or pool.
      if (kind === 'service' || kind === 'target')
        put(
          'cache_error_ratio',
          kind,
          label,
          share(list, (o) => o.cause === 'cache'),
        );
      put('latency_p95_ms', kind, label, round(p95(list.map((o) => o.latencyMs)), 1));
    };
    red('service', '', outcomes);
    const replicas = this.replicasOf(service);
    const groups = (key: (o: RequestOutcome) => string, known: string[]): Map<string, RequestOutcome[]> => {
      const map = new Map<string, RequestOutcome[]>(known.map((k) => [k, []]));
      for (const o of outcomes) {
        if (!o.target) continue;
        const list = map.get(key(o));
        if (list) list.push(o);
        else map.set(key(o), [o]);
      }
      return map;
    };
    for (const [release, list] of groups((o) => o.release, [...new Set(replicas.map((r) => r.spec.release))]))
      red('release', release, list);
    for (const [target, list] of groups(
      (o) => o.target,
      replicas.map((r) => r.id),
    ))
      red('target', target, list);
    for (const [pool, list] of groups((o) => o.pool, [...new Set(replicas.map((r) => r.spec.pool))]))
      red('pool', pool, list);

    // Vitals: per target, and the worst target for the service (a leak in one replica must show).
    let worstRss: number | undefined;
    let worstLag: number | undefined;
    let worstSaturation: number | undefined;
    for (const replica of replicas) {
      const rss = replica.readRssMb();
      if (rss !== undefined) {
        put('memory_rss_mb', 'target', replica.id, rss);
        this.prometheus.memory.set({ service, target: replica.id }, rss * 1048576);
        worstRss = Math.max(worstRss ?? 0, rss);
      }
      if (replica.healthy && replica.eventLoopLagMs !== undefined) {
        put('event_loop_lag_ms', 'target', replica.id, replica.eventLoopLagMs);
        worstLag = Math.max(worstLag ?? 0, replica.eventLoopLagMs);
      }
      if (replica.healthy && replica.saturation !== undefined) {
        put('saturation', 'target', replica.id, replica.saturation);
        this.prometheus.saturation.set({ service, target: replica.id }, replica.saturation);
        worstSaturation = Math.max(worstSaturation ?? 0, replica.saturation);
      }
    }
    // No live replica, no reading: a gap says more than a zero.
    if (worstRss !== undefined) put('memory_rss_mb', 'service', '', worstRss);
    if (worstLag !== undefined) put('event_loop_lag_ms', 'service', '', worstLag);
    if (worstSaturation !== undefined) put('saturation', 'service', '', worstSaturation);
    put('healthy_targets', 'service', '', replicas.filter((r) => r.healthy).length);
    // Targets that should serve and do not (an ALB's UnHealthyHostCount): a drained pool's replicas
    // take no traffic, so their health is not the service's problem now.
    const weights = this.state.services[service]?.weights;
    const unhealthy = replicas.filter((r) => !r.healthy && (weights?.[r.spec.pool] ?? 100) > 0).length;
    put('unhealthy_targets', 'service', '', unhealthy);
    this.prometheus.unhealthyTargets.set({ service }, unhealthy);
    for (const pool of new Set(replicas.map((r) => r.spec.pool))) {
      const healthy = replicas.filter((r) => r.healthy && r.spec.pool === pool).length;
      put('healthy_targets', 'pool', pool, healthy);
      this.prometheus.healthyTargets.set({ service, pool }, healthy);
    }
    if (serviceSpec(service)?.hasQueue) {
      put('queue_depth', 'service', '', this.queues.depth(service));
      put('dead_letters', 'service', '', this.queues.deadLetterCount(service));
      this.prometheus.queueDepth.set({ service }, this.queues.depth(service));
      this.prometheus.deadLetters.set({ service }, this.queues.deadLetterCount(service));
    }
  }
}

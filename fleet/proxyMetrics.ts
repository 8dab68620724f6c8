import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestOutcome } from './proxy';

/**
 * Prometheus view of the proxies (RED per service, release, pool and target) and of the fleet's vitals,
 * served by the control API at GET /metrics — what a Prometheus-based signal provider would scrape.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'fleet_proxy_requests_total',
    help: 'requests through the service proxy, by outcome',
    labelNames: ['service', 'release', 'pool', 'target', 'code'],
    registers: [this.registry],
  });
  /** Requests that ended at a timeout (the proxy's own, or a replica's towards its dependency). */
  private readonly timeouts = new Counter({
    name: 'fleet_proxy_timeouts_total',
    help: 'requests through the service proxy that ended at a timeout (proxy or client towards a dependency)',
    labelNames: ['service', 'release', 'pool', 'target'],
    registers: [this.registry],
  });
  /** Requests a replica failed on a corrupt cache entry. */
  private readonly cacheErrors = new Counter({
    name: 'fleet_proxy_cache_errors_total',
    help: 'requests through the service proxy that failed on a corrupt cache entry',
    labelNames: ['service', 'release', 'pool', 'target'],
    registers: [this.registry],
  });
  /** Requests a replica refused because its request slots and its line were full (503). */
  private readonly overloads = new Counter({
    name: 'fleet_proxy_overloaded_total',
    help: 'requests through the service proxy that a saturated replica refused (503)',
    labelNames: ['service', 'release', 'pool', 'target'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'fleet_proxy_request_duration_seconds',
    help: 'request latency seen at the service proxy',
    labelNames: ['service', 'release', 'pool'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly healthyTargets = new Gauge({
    name: 'fleet_healthy_targets',
    help: 'replicas passing their health check',
    labelNames: ['service', 'pool'],
    registers: [this.registry],
  });
  readonly unhealthyTargets = new Gauge({
    name: 'fleet_unhealthy_targets',
    help: 'replicas in a pool that takes traffic failing their health check',
    labelNames: ['service'],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'fleet_queue_depth',
    help: 'jobs waiting in the service queue',
    labelNames: ['service'],
    registers: [this.registry],
  });
  readonly deadLetters = new Gauge({
    name: 'fleet_dead_letters',
    help: 'jobs in the dead-letter list',
    labelNames: ['service'],
    registers: [this.registry],
  });
  readonly saturation = new Gauge({
    name: 'fleet_replica_saturation',
    help: 'busy request slots / slots of each replica over the last second, 0..1',
    labelNames: ['service', 'target'],
    registers: [this.registry],
  });
  readonly memory = new Gauge({
    name: 'fleet_replica_rss_bytes',
    help: 'resident memory of each replica process',
    labelNames: ['service', 'target'],
    registers: [this.registry],
  });

  record(service: string, o: RequestOutcome): void {
    const release = o.release || 'none';
    const target = o.target || 'none';
    this.requests.inc({ service, release, pool: o.pool, target, code: String(o.status) });
    // Incremented by 0 when it did not happen, so every slice has a series and its ratio reads 0, not absent.
    const labels = { service, release, pool: o.pool, target };
    this.timeouts.inc(labels, o.cause === 'timeout' ? 1 : 0);
    this.cacheErrors.inc(labels, o.cause === 'cache' ? 1 : 0);
    this.overloads.inc(labels, o.cause === 'overload' ? 1 : 0);
    this.latency.observe({ service, release, pool: o.pool }, o.latencyMs / 1000);
  }
}

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
  readonly memory = new Gauge({
    name: 'fleet_replica_rss_bytes',
    help: 'resident memory of each replica process',
    labelNames: ['service', 'target'],
    registers: [this.registry],
  });

  record(service: string, o: RequestOutcome): void {
    const release = o.release || 'none';
    this.requests.inc({ service, release, pool: o.pool, target: o.target || 'none', code: String(o.status) });
    this.latency.observe({ service, release, pool: o.pool }, o.latencyMs / 1000);
  }
}

import type { PrometheusPresetName, SliceKind } from '../../core/model/prometheusConfig';

/** One Homeostat metric as Prometheus computes it: a PromQL template and the slices it can be split by. */
export interface MetricQuery {
  query: string;
  slices: readonly SliceKind[];
}

export interface PrometheusPreset {
  /** Prometheus label names carrying the service and each slice. */
  labels: { service: string } & Record<SliceKind, string>;
  /** Slice values that mean "no such slice" (the fleet labels a request no replica took `none`). */
  ignoreValues: readonly string[];
  queries: Readonly<Record<string, MetricQuery>>;
}

/**
 * Counters go through rate() over $window; a ratio divides two rates of the same counter. The error
 * numerator is `or`-ed with zero × the total so a slice with traffic but no failures reads 0 (a missing
 * numerator would drop the slice instead); a slice without traffic divides 0 by 0 and its NaN points
 * are dropped, as the fleet records no ratio for a second without requests.
 */
const ratio = (counter: string, failing: string): string =>
  `(sum by ($by) (rate(${counter}{$selector,${failing}}[$window])) ` +
  `or 0 * sum by ($by) (rate(${counter}{$selector}[$window]))) ` +
  `/ sum by ($by) (rate(${counter}{$selector}[$window]))`;

/** A counter of failing requests over the counter of all of them, read as 0 where the first is absent. */
const share = (failing: string, all: string): string =>
  `(sum by ($by) (rate(${failing}{$selector}[$window])) ` +
  `or 0 * sum by ($by) (rate(${all}{$selector}[$window]))) ` +
  `/ sum by ($by) (rate(${all}{$selector}[$window]))`;

const p95 = (histogram: string): string =>
  `histogram_quantile(0.95, sum by (le, $by) (rate(${histogram}_bucket{$selector}[$window]))) * 1000`;

const RED: readonly SliceKind[] = ['release', 'target', 'pool'];

/**
 * The local fleet's control API (GET /metrics, fleet/proxyMetrics.ts): RED per service, release, pool
 * and target from its proxies, healthy replicas per pool, the queue, and each replica's RSS. Event-loop
 * lag is only on the replicas' own /metrics (a scrape of them adds it). `saturation`
 * (fleet_replica_saturation), `timeout_ratio` (fleet_proxy_timeouts_total) and `cache_error_ratio`
 * (fleet_proxy_cache_errors_total) read what the fleet exports for them; a fleet that exports none
 * leaves them absent (no series), like any metric Prometheus has no samples of.
 */
const fleet: PrometheusPreset = {
  labels: { service: 'service', release: 'release', target: 'target', pool: 'pool' },
  ignoreValues: ['none'],
  queries: {
    request_rate: {
      query: 'sum by ($by) (rate(fleet_proxy_requests_total{$selector}[$window]))',
      slices: RED,
    },
    error_ratio: { query: ratio('fleet_proxy_requests_total', 'code=~"5.."'), slices: RED },
    latency_p95_ms: { query: p95('fleet_proxy_request_duration_seconds'), slices: ['release', 'pool'] },
    memory_rss_mb: {
      query: 'max by ($by) (fleet_replica_rss_bytes{$selector}) / 1048576',
      slices: ['target'],
    },
    event_loop_lag_ms: {
      query: 'max by ($by) (fleet_event_loop_lag_seconds{$selector}) * 1000',
      slices: ['target'],
    },
    // Replicas export a queue gauge of their own (with a target label); the service's queue has none.
    queue_depth: { query: 'sum by ($by) (fleet_queue_depth{$selector,target=""})', slices: [] },
    dead_letters: { query: 'sum by ($by) (fleet_dead_letters{$selector})', slices: [] },
    healthy_targets: { query: 'sum by ($by) (fleet_healthy_targets{$selector})', slices: ['pool'] },
    unhealthy_targets: { query: 'sum by ($by) (fleet_unhealthy_targets{$selector})', slices: [] },
    saturation: { query: 'max by ($by) (fleet_replica_saturation{$selector})', slices: ['target'] },
    // Requests that ended at a timeout (the proxy's, or a replica's towards its dependency) and on a
    // corrupt cache entry: counters of their own, over all requests.
    timeout_ratio: { query: share('fleet_proxy_timeouts_total', 'fleet_proxy_requests_total'), slices: RED },
    cache_error_ratio: {
      query: share('fleet_proxy_cache_errors_total', 'fleet_proxy_requests_total'),
      slices: ['target'],
    },
  },
};

/**
 * Services instrumented with the common client libraries (prom-client, client_golang, …) scraped one
 * job per service: `job` names the service, `instance` the target, a `version` label the release.
 */
const http: PrometheusPreset = {
  labels: { service: 'job', release: 'version', target: 'instance', pool: 'pool' },
  ignoreValues: [],
  queries: {
    request_rate: { query: 'sum by ($by) (rate(http_requests_total{$selector}[$window]))', slices: RED },
    error_ratio: { query: ratio('http_requests_total', 'code=~"5.."'), slices: RED },
    latency_p95_ms: { query: p95('http_request_duration_seconds'), slices: RED },
    memory_rss_mb: {
      query: 'max by ($by) (process_resident_memory_bytes{$selector}) / 1048576',
      slices: ['target'],
    },
    event_loop_lag_ms: {
      query: 'max by ($by) (nodejs_eventloop_lag_seconds{$selector}) * 1000',
      slices: ['target'],
    },
    healthy_targets: { query: 'sum by ($by) (up{$selector})', slices: ['target', 'pool'] },
    // Scrape targets that are down: the nearest common-exporter reading of "targets failing health checks".
    unhealthy_targets: { query: 'count by ($by) (up{$selector} == 0) or vector(0)', slices: [] },
    timeout_ratio: { query: ratio('http_requests_total', 'code=~"504|408"'), slices: RED },
  },
};

export const PRESETS: Readonly<Record<PrometheusPresetName, PrometheusPreset>> = { fleet, http };

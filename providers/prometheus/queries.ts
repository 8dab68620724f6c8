import type { PrometheusConfig, PrometheusPresetName, SliceKind } from '../../core/model/prometheusConfig';
import { PRESETS, type MetricQuery } from './presets';

/** The preset with the configured overrides applied: what the provider actually asks Prometheus. */
export interface ResolvedQueries {
  preset: PrometheusPresetName;
  labels: { service: string } & Record<SliceKind, string>;
  ignoreValues: readonly string[];
  queries: Record<string, MetricQuery>;
}

/**
 * A string override keeps the preset's slices for that metric (only the PromQL changes); an object
 * says its own slices. A metric the preset lacks is added.
 */
export function resolveQueries(config: PrometheusConfig, preset: PrometheusPresetName): ResolvedQueries {
  const base = PRESETS[preset];
  const queries: Record<string, MetricQuery> = { ...base.queries };
  for (const [metric, override] of Object.entries(config.queries)) {
    queries[metric] =
      typeof override === 'string'
        ? { query: override, slices: base.queries[metric]?.slices ?? [] }
        : { query: override.query, slices: override.slices };
  }
  const labels = { ...base.labels };
  for (const key of ['service', 'release', 'target', 'pool'] as const) {
    const name = config.labels[key];
    if (name) labels[key] = name;
  }
  return { preset, labels, ignoreValues: base.ignoreValues, queries };
}

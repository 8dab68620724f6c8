export { prometheusSignals, clampStep, finitePoints } from './signals';
export { PRESETS, type MetricQuery, type PrometheusPreset } from './presets';
export { resolveQueries, type ResolvedQueries } from './queries';
export { renderTemplate, PLACEHOLDERS } from './template';

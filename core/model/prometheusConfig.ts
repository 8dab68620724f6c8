import { z } from 'zod';

/**
 * Settings of the Prometheus signal provider (providers/prometheus). Merged into config.ts under
 * `prometheus`; `signals: prometheus` (HOMEOSTAT_SIGNALS) makes the worker read every metric series from
 * Prometheus while topology, deploys and remediation still come from the configured target.
 *
 * A metric is a PromQL template (see providers/prometheus/template.ts for its placeholders). The preset
 * gives one for each Homeostat metric; `queries` replaces or adds single metrics, and comes from the
 * JSON file named by HOMEOSTAT_CONFIG (PromQL does not travel well through environment variables).
 */

export const PROMETHEUS_PRESETS = ['fleet', 'http'] as const;
export type PrometheusPresetName = (typeof PROMETHEUS_PRESETS)[number];

export const SLICE_KINDS = ['release', 'target', 'pool'] as const;
export type SliceKind = (typeof SLICE_KINDS)[number];

/** A Prometheus label name, as the PromQL grammar allows it. */
const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a Prometheus label name');

export const prometheusQuerySchema = z.union([
  z.string().trim().min(1, 'expected a PromQL template'),
  z.object({
    query: z.string().trim().min(1, 'expected a PromQL template'),
    /** The slices this query can be split by (each needs its label, see `labels`); none by default. */
    slices: z.array(z.enum(SLICE_KINDS)).default([]),
  }),
]);
export type PrometheusQueryOverride = z.output<typeof prometheusQuerySchema>;

export const prometheusConfigSchema = z
  .object({
    /** Base URL of the Prometheus HTTP API (`http://prometheus:9090`, or a path prefix behind a proxy). */
    url: z.url().optional(),
    /** Which built-in queries to start from: `fleet` for target local, `http` otherwise, when absent. */
    preset: z.enum(PROMETHEUS_PRESETS).optional(),
    /** Metric name → PromQL template (or `{ query, slices }`), replacing the preset's or adding one. */
    queries: z.record(z.string().min(1), prometheusQuerySchema).default({}),
    /** Prometheus label names carrying the service and each slice, replacing the preset's. */
    labels: z
      .object({
        service: labelName.optional(),
        release: labelName.optional(),
        target: labelName.optional(),
        pool: labelName.optional(),
      })
      .default({}),
    /** Each query_range call gives up after this long (then the read fails, retryable). */
    timeoutSeconds: z.coerce.number().min(0.1).max(300).default(10),
    /**
     * The shortest range `rate()` looks back over ($window). It must span at least two scrapes: 60 s
     * suits the usual 15 s scrape interval; a faster scrape allows a shorter, sharper window. A query
     * step longer than this widens the window to the step, so no sample falls between two points.
     */
    rateWindowSeconds: z.coerce.number().int().min(1).max(3600).default(60),
    bearerToken: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  })
  .superRefine((p, ctx) => {
    if (Boolean(p.username) !== Boolean(p.password)) {
      ctx.addIssue({
        code: 'custom',
        path: [p.username ? 'password' : 'username'],
        message:
          'basic auth needs both HOMEOSTAT_PROMETHEUS_USERNAME and HOMEOSTAT_PROMETHEUS_PASSWORD ' +
          '(prometheus.username and prometheus.password)',
      });
    }
    if (p.bearerToken && p.username) {
      ctx.addIssue({
        code: 'custom',
        path: ['bearerToken'],
        message: 'give either a bearer token or basic auth (username and password), not both',
      });
    }
    if (p.url && !/^https?:\/\//.test(p.url)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'expected an http:// or https:// URL' });
    }
  });

export type PrometheusConfig = z.output<typeof prometheusConfigSchema>;

/** Where the worker's metric series come from: the target's own provider, or Prometheus. */
export const signalsSourceSchema = z.enum(['target', 'prometheus']);

/** `signals: prometheus` without a URL cannot work: say so at load time, naming both keys. */
export function checkSignalsSource(
  cfg: { signals: z.output<typeof signalsSourceSchema>; prometheus: PrometheusConfig },
  ctx: z.RefinementCtx,
): void {
  if (cfg.signals === 'prometheus' && !cfg.prometheus.url) {
    ctx.addIssue({
      code: 'custom',
      path: ['prometheus', 'url'],
      message: 'HOMEOSTAT_SIGNALS=prometheus needs the Prometheus base URL',
    });
  }
}

/** Environment variable → path inside the `prometheus` section. */
export const PROMETHEUS_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_PROMETHEUS_URL: ['url'],
  HOMEOSTAT_PROMETHEUS_PRESET: ['preset'],
  HOMEOSTAT_PROMETHEUS_TIMEOUT_SECONDS: ['timeoutSeconds'],
  HOMEOSTAT_PROMETHEUS_RATE_WINDOW_SECONDS: ['rateWindowSeconds'],
  HOMEOSTAT_PROMETHEUS_BEARER_TOKEN: ['bearerToken'],
  HOMEOSTAT_PROMETHEUS_USERNAME: ['username'],
  HOMEOSTAT_PROMETHEUS_PASSWORD: ['password'],
  HOMEOSTAT_PROMETHEUS_SERVICE_LABEL: ['labels', 'service'],
};

import { z } from 'zod';
import { envBool as bool } from './envValues';

/**
 * Homeostat's own telemetry: its structured logs, the Temporal SDK's worker metrics and OpenTelemetry
 * tracing. Merged into config.ts as the `telemetry` section; wired up by workers/telemetry.ts.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** host:port, as Temporal Core's Prometheus exporter binds it (an IPv6 host in brackets). */
const bindAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/, 'expected host:port, for example 127.0.0.1:9464')
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, { message: 'port must be ≤ 65535' });

const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL, for example http://localhost:4318');

export const telemetryConfigSchema = z.object({
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /**
   * `json`: one JSON object a line (for collectors). `pretty`: one readable line each. Absent: pretty
   * when stderr is a terminal, JSON otherwise (resolveLogFormat).
   */
  logFormat: z.enum(LOG_FORMATS).optional(),
  /**
   * Where the Temporal SDK serves its worker metrics (Prometheus text at /metrics). Absent: a standalone
   * worker exports none; `npm start` picks a free loopback port so the webhook's /metrics includes them.
   */
  metricsBindAddress: bindAddress.optional(),
  tracing: z
    .object({
      /** Off by default: with it off no tracer is installed and no span is made. */
      enabled: bool.default(false),
      /**
       * OTLP/HTTP base endpoint (`/v1/traces` is appended, as for OTEL_EXPORTER_OTLP_ENDPOINT). Absent:
       * the exporter reads the standard OTEL_EXPORTER_OTLP_* variables, else http://localhost:4318.
       */
      otlpEndpoint: httpUrl.optional(),
      serviceName: z.string().min(1).default('homeostat'),
    })
    .prefault({}),
});

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;
export type TracingConfig = TelemetryConfig['tracing'];

/** Environment variable → path inside the `telemetry` section. */
export const TELEMETRY_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_LOG_LEVEL: ['logLevel'],
  HOMEOSTAT_LOG_FORMAT: ['logFormat'],
  HOMEOSTAT_METRICS_BIND_ADDRESS: ['metricsBindAddress'],
  HOMEOSTAT_TRACING: ['tracing', 'enabled'],
  HOMEOSTAT_OTLP_ENDPOINT: ['tracing', 'otlpEndpoint'],
  HOMEOSTAT_SERVICE_NAME: ['tracing', 'serviceName'],
};

/** The format in effect: the configured one, else pretty for a person at a terminal and JSON for the rest. */
export function resolveLogFormat(cfg: Pick<TelemetryConfig, 'logFormat'>, stderrIsTty: boolean): LogFormat {
  return cfg.logFormat ?? (stderrIsTty ? 'pretty' : 'json');
}

/** The OTLP/HTTP traces URL for a base endpoint (kept as is when it already names /v1/traces). */
export function otlpTracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

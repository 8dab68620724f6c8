import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { envBool as bool, envList } from './envValues';
import { AWS_ENV_KEYS, awsConfigSchema } from './awsConfig';
import { FLEET_ENV_KEYS, fleetConfigSchema } from './fleetConfig';
import { WEBHOOK_ENV_KEYS, webhookConfigSchema } from './webhookConfig';
import {
  PROMETHEUS_ENV_KEYS,
  checkSignalsSource,
  prometheusConfigSchema,
  signalsSourceSchema,
} from './prometheusConfig';
import { DETECTOR_ENV_KEYS, detectorConfigSchema } from './detectorConfig';
import { LEARNING_ENV_KEYS, learningConfigSchema } from './learning';
import { TELEMETRY_ENV_KEYS, telemetryConfigSchema } from './telemetryConfig';
import { NOTIFY_ENV_KEYS, notifyConfigSchema } from './notifyConfig';
import { DEFAULT_SAFETY_LIMITS } from './permits';
import { FLAPPING_ENV_KEYS, flappingSafetyFields } from './flappingConfig';

/** Diagnosis confidence levels, least sure first (the order the confidence gate compares in). */
export const CONFIDENCE_LEVELS = ['low', 'medium', 'high'] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];
/** Below this a plan asks a human first (HOMEOSTAT_MIN_CONFIDENCE). */
export const DEFAULT_MIN_CONFIDENCE: ConfidenceLevel = 'medium';

/**
 * One schema for every setting Homeostat reads. Values come from an optional JSON file
 * (HOMEOSTAT_CONFIG) and from environment variables, which win. Errors name the variable or key.
 */

const port = z.coerce.number().int().min(1).max(65535);
const tlsSchema = z
  .object({
    enabled: bool.optional(),
    serverName: z.string().min(1).optional(),
    serverCaCertPath: z.string().min(1).optional(),
    clientCertPath: z.string().min(1).optional(),
    clientKeyPath: z.string().min(1).optional(),
  })
  .refine((t) => Boolean(t.clientCertPath) === Boolean(t.clientKeyPath), {
    message:
      'client certificate and key must be given together (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)',
  });

export const configSchema = z
  .object({
    temporal: z.object({
      /** When set, Homeostat connects to this server and starts none of its own. */
      address: z
        .string()
        .regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, for example temporal.example.com:7233')
        .optional(),
      namespace: z.string().min(1).default('default'),
      apiKey: z.string().min(1).optional(),
      tls: tlsSchema.default({}),
    }),
    embedded: z.object({
      /** Where the embedded dev server keeps its SQLite file, so incidents survive a restart. */
      stateDir: z.string().min(1).default('.state'),
      ip: z.string().min(1).default('127.0.0.1'),
      port: port.default(7233),
      uiPort: port.default(8233),
      /** false runs the dev server headless. */
      ui: bool.default(true),
    }),
    worker: z.object({
      taskQueue: z.string().min(1).default('homeostat'),
      /** Seconds in-flight activities get to finish on shutdown before they are cancelled. */
      shutdownGraceSeconds: z.coerce.number().min(0).max(600).default(10),
    }),
    /** Who may approve or abort a remediation. Fails closed: an empty list allows nobody. */
    approvers: envList(z.string().min(1)).default([]),
    incidents: z
      .object({
        /** An incident waiting this long for approval escalates to a human instead. */
        approvalTimeoutSeconds: z.coerce.number().int().min(1).default(900),
        /** How long a new incident collects the rest of an alert storm before it gathers evidence. */
        triageSeconds: z.coerce.number().min(0).max(600).default(5),
        /** The recent window compared with the baseline window before it. */
        recentWindowSeconds: z.coerce.number().int().min(2).default(30),
        baselineWindowSeconds: z.coerce.number().int().min(10).default(600),
        /** A playbook catalog file replacing the default one. */
        playbooks: z.string().min(1).optional(),
        /** Plan but never act: the plan is recorded and the incident escalates to a human. */
        dryRun: bool.default(false),
        /**
         * A diagnosis less sure than this asks a human before acting (absent: DEFAULT_MIN_CONFIDENCE).
         * Optional rather than defaulted so code building the section by hand need not name it.
         */
        minConfidence: z.enum(CONFIDENCE_LEVELS).optional(),
      })
      .default({
        approvalTimeoutSeconds: 900,
        triageSeconds: 5,
        recentWindowSeconds: 30,
        baselineWindowSeconds: 600,
        dryRun: false,
      }),
    /** Limits every incident's actions share, held by the governor (see model/permits.ts). */
    safety: z
      .object({
        maxActionsPerServicePerHour: z.coerce
          .number()
          .int()
          .min(1)
          .default(DEFAULT_SAFETY_LIMITS.maxActionsPerServicePerHour),
        maxActionsPerHour: z.coerce.number().int().min(1).default(DEFAULT_SAFETY_LIMITS.maxActionsPerHour),
        maxConcurrentServices: z.coerce
          .number()
          .int()
          .min(1)
          .default(DEFAULT_SAFETY_LIMITS.maxConcurrentServices),
        breakerFailures: z.coerce.number().int().min(1).default(DEFAULT_SAFETY_LIMITS.breakerFailures),
        breakerWindowSeconds: z.coerce
          .number()
          .int()
          .min(60)
          .default(DEFAULT_SAFETY_LIMITS.breakerWindowSeconds),
        maxHoldSeconds: z.coerce.number().int().min(1).default(DEFAULT_SAFETY_LIMITS.maxHoldSeconds),
        ...flappingSafetyFields,
      })
      .default(DEFAULT_SAFETY_LIMITS),
    /** `npm start` breaks the local fleet on purpose and lets Homeostat heal it; false runs the stack only. */
    demo: bool.default(true),
    /** Which platform the worker's providers act on. */
    target: z.enum(['local', 'aws']).default('local'),
    webhook: webhookConfigSchema.default(webhookConfigSchema.parse({})),
    aws: awsConfigSchema.default(awsConfigSchema.parse({})),
    fleet: fleetConfigSchema.default(fleetConfigSchema.parse({})),
    /** Where metric series come from: the target's provider, or Prometheus (`prometheus` section). */
    signals: signalsSourceSchema.default('target'),
    prometheus: prometheusConfigSchema.default(prometheusConfigSchema.parse({})),
    /** The detector that opens incidents from the signals (detectorConfig.ts). */
    detector: detectorConfigSchema.default(detectorConfigSchema.parse({})),
    /** Homeostat's own logs, the SDK's worker metrics and tracing (telemetryConfig.ts). */
    telemetry: telemetryConfigSchema.default(telemetryConfigSchema.parse({})),
    /** Slack, PagerDuty and signed webhooks told of incident events (notifyConfig.ts). */
    notifications: notifyConfigSchema.default(notifyConfigSchema.parse({})),
    /** What people's feedback on closed incidents may change (learning.ts). */
    learning: learningConfigSchema.default(learningConfigSchema.parse({})),
  })
  .superRefine((cfg, ctx) => {
    checkSignalsSource(cfg, ctx);
    if (!cfg.temporal.address && (cfg.temporal.apiKey || cfg.temporal.tls.clientCertPath)) {
      ctx.addIssue({
        code: 'custom',
        path: ['temporal', 'address'],
        message:
          'TLS or an API key was configured without TEMPORAL_ADDRESS; the embedded dev server uses neither',
      });
    }
    if (cfg.embedded.port === cfg.embedded.uiPort) {
      ctx.addIssue({
        code: 'custom',
        path: ['embedded', 'uiPort'],
        message: 'must differ from the gRPC port',
      });
    }
  });

export type HomeostatConfig = z.output<typeof configSchema>;

/** Environment variable → config path. Names follow Temporal's own envconfig where one exists. */
export const ENV_KEYS: Record<string, readonly string[]> = {
  TEMPORAL_ADDRESS: ['temporal', 'address'],
  TEMPORAL_NAMESPACE: ['temporal', 'namespace'],
  TEMPORAL_API_KEY: ['temporal', 'apiKey'],
  TEMPORAL_TLS: ['temporal', 'tls', 'enabled'],
  TEMPORAL_TLS_SERVER_NAME: ['temporal', 'tls', 'serverName'],
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: ['temporal', 'tls', 'serverCaCertPath'],
  TEMPORAL_TLS_CLIENT_CERT_PATH: ['temporal', 'tls', 'clientCertPath'],
  TEMPORAL_TLS_CLIENT_KEY_PATH: ['temporal', 'tls', 'clientKeyPath'],
  HOMEOSTAT_STATE_DIR: ['embedded', 'stateDir'],
  HOMEOSTAT_TEMPORAL_IP: ['embedded', 'ip'],
  HOMEOSTAT_TEMPORAL_PORT: ['embedded', 'port'],
  HOMEOSTAT_UI_PORT: ['embedded', 'uiPort'],
  HOMEOSTAT_UI: ['embedded', 'ui'],
  HOMEOSTAT_TASK_QUEUE: ['worker', 'taskQueue'],
  HOMEOSTAT_SHUTDOWN_GRACE_SECONDS: ['worker', 'shutdownGraceSeconds'],
  HOMEOSTAT_APPROVERS: ['approvers'],
  HOMEOSTAT_TARGET: ['target'],
  HOMEOSTAT_DEMO: ['demo'],
  HOMEOSTAT_APPROVAL_TIMEOUT_SECONDS: ['incidents', 'approvalTimeoutSeconds'],
  HOMEOSTAT_TRIAGE_SECONDS: ['incidents', 'triageSeconds'],
  HOMEOSTAT_RECENT_WINDOW_SECONDS: ['incidents', 'recentWindowSeconds'],
  HOMEOSTAT_BASELINE_WINDOW_SECONDS: ['incidents', 'baselineWindowSeconds'],
  HOMEOSTAT_PLAYBOOKS: ['incidents', 'playbooks'],
  HOMEOSTAT_DRY_RUN: ['incidents', 'dryRun'],
  HOMEOSTAT_MIN_CONFIDENCE: ['incidents', 'minConfidence'],
  HOMEOSTAT_MAX_ACTIONS_PER_SERVICE_PER_HOUR: ['safety', 'maxActionsPerServicePerHour'],
  HOMEOSTAT_MAX_ACTIONS_PER_HOUR: ['safety', 'maxActionsPerHour'],
  HOMEOSTAT_MAX_CONCURRENT_SERVICES: ['safety', 'maxConcurrentServices'],
  HOMEOSTAT_BREAKER_FAILURES: ['safety', 'breakerFailures'],
  HOMEOSTAT_BREAKER_WINDOW_SECONDS: ['safety', 'breakerWindowSeconds'],
  HOMEOSTAT_MAX_HOLD_SECONDS: ['safety', 'maxHoldSeconds'],
  ...FLAPPING_ENV_KEYS,
  ...prefixed('webhook', WEBHOOK_ENV_KEYS),
  ...prefixed('aws', AWS_ENV_KEYS),
  ...prefixed('fleet', FLEET_ENV_KEYS),
  HOMEOSTAT_SIGNALS: ['signals'],
  ...prefixed('prometheus', PROMETHEUS_ENV_KEYS),
  ...prefixed('detector', DETECTOR_ENV_KEYS),
  ...prefixed('telemetry', TELEMETRY_ENV_KEYS),
  ...prefixed('notifications', NOTIFY_ENV_KEYS),
  ...prefixed('learning', LEARNING_ENV_KEYS),
};

function prefixed(
  section: string,
  keys: Record<string, readonly string[]>,
): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(keys).map(([env, path]) => [env, [section, ...path]]));
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function describePath(path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  // A list item (`webhook.generic.secrets.1`) comes from the list's variable.
  const setting = path
    .map(String)
    .filter((k) => !/^\d+$/.test(k))
    .join('.');
  const env = Object.entries(ENV_KEYS).find(([, p]) => p.join('.') === setting)?.[0];
  return env ? `${env} (${dotted})` : dotted;
}

/** Reads the file named by HOMEOSTAT_CONFIG (if any) and the environment; throws ConfigError naming each bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HomeostatConfig {
  let raw: Record<string, unknown> = {
    temporal: {},
    embedded: {},
    worker: {},
    webhook: {},
    aws: {},
    fleet: {},
    prometheus: {},
    detector: {},
  };
  const file = env.HOMEOSTAT_CONFIG;
  if (file) {
    try {
      raw = { ...raw, ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) };
    } catch (err) {
      throw new ConfigError(`HOMEOSTAT_CONFIG=${file}: cannot read it as JSON (${(err as Error).message})`);
    }
  }
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${describePath(i.path)}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

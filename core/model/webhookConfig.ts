import { z } from 'zod';
import { envBool as bool, envList as list } from './envValues';

/**
 * Settings of the alert webhook server (triggers/). Merged into config.ts as the `webhook` section.
 * Every source fails closed: with no secret configured it refuses every request unless `open` is set.
 */

/** Shared secrets shorter than this are guessable; refuse them at start-up rather than at the first alert. */
const secret = z.string().min(16, 'must be at least 16 characters (use a long random value)');

/** Standard Webhooks secret: `whsec_` + base64 of at least 16 random bytes. */
const standardWebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'expected whsec_<base64>, as Standard Webhooks secrets are written')
  .refine((s) => Buffer.from(s.slice('whsec_'.length), 'base64').length >= 16, {
    message: 'the base64 part must decode to at least 16 bytes',
  });

/** Host patterns: a hostname, where `*` stands for one DNS label (e.g. `sns.*.amazonaws.com`). */
const hostPattern = z
  .string()
  .regex(/^(\*|[a-z0-9-]+)(\.(\*|[a-z0-9-]+))*$/i, 'expected a hostname, "*" standing for one label');

const seconds = (max: number) => z.coerce.number().int().min(1).max(max);

export const DEFAULT_SNS_CERT_HOSTS = ['sns.*.amazonaws.com', 'sns.*.amazonaws.com.cn'];

export const webhookConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  host: z.string().min(1).default('127.0.0.1'),
  /** Largest request body accepted; bigger ones get 413 without being buffered. */
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** How long a delivery may wait for Temporal before the sender is told to retry (503). */
  intakeTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** `Retry-After` sent with 503 when Temporal is unreachable. */
  retryAfterSeconds: seconds(3600).default(5),
  /** Timestamp tolerance of signed requests, and how long a delivery id is remembered as a duplicate. */
  replayWindowSeconds: seconds(3600).default(300),
  /** Bearer token of the operator endpoints (approve, abort, state, list). Unset disables them. */
  operatorToken: secret.optional(),
  /** How long an operator request waits for the incident workflow to answer (504 after). */
  operatorTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
  alertmanager: z
    .object({
      /** Bearer token (`http_config.authorization.credentials`). */
      token: secret.optional(),
      /** Basic auth (`http_config.basic_auth`), as an alternative to the token. */
      username: z.string().min(1).optional(),
      password: secret.optional(),
      open: bool.default(false),
    })
    .refine((a) => Boolean(a.username) === Boolean(a.password), {
      message: 'basic auth needs both HOMEOSTAT_ALERTMANAGER_USERNAME and HOMEOSTAT_ALERTMANAGER_PASSWORD',
    })
    .prefault({}),
  grafana: z
    .object({
      /** HMAC-SHA256 secret of the contact point's "HMAC Signature" setting. */
      secret: secret.optional(),
      signatureHeader: z.string().min(1).default('X-Grafana-Alerting-Signature'),
      /** When set, Grafana signs `timestamp:body` and sends the timestamp in this header; it is then required. */
      timestampHeader: z.string().min(1).optional(),
      open: bool.default(false),
    })
    .prefault({}),
  pagerduty: z
    .object({
      /** Webhook subscription secrets; several while rotating. */
      secrets: list(secret).default([]),
      /** Events older than this are refused: PagerDuty signs no timestamp, so this bounds a replay. */
      maxEventAgeSeconds: seconds(7 * 24 * 3600).default(3600),
      open: bool.default(false),
    })
    .prefault({}),
  generic: z
    .object({
      /** Standard Webhooks secrets (`whsec_…`); several while rotating. */
      secrets: list(standardWebhookSecret).default([]),
      open: bool.default(false),
    })
    .prefault({}),
  cloudwatch: z
    .object({
      /**
       * SNS topics whose notifications are accepted. Anyone can subscribe this endpoint to a topic of
       * their own and AWS will sign it, so the topic list is what makes this source secured.
       */
      topicArns: list(z.string().regex(/^arn:[a-z-]+:sns:/, 'expected an SNS topic ARN')).default([]),
      /** Hosts SigningCertURL and SubscribeURL may point at. */
      certHosts: list(hostPattern).default(DEFAULT_SNS_CERT_HOSTS),
      open: bool.default(false),
    })
    .prefault({}),
});

export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type WebhookConfigInput = z.input<typeof webhookConfigSchema>;

/** Environment variable → path inside the `webhook` section. */
export const WEBHOOK_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_WEBHOOK_PORT: ['port'],
  HOMEOSTAT_WEBHOOK_HOST: ['host'],
  HOMEOSTAT_WEBHOOK_BODY_LIMIT_BYTES: ['bodyLimitBytes'],
  HOMEOSTAT_WEBHOOK_INTAKE_TIMEOUT_MS: ['intakeTimeoutMs'],
  HOMEOSTAT_WEBHOOK_RETRY_AFTER_SECONDS: ['retryAfterSeconds'],
  HOMEOSTAT_WEBHOOK_REPLAY_WINDOW_SECONDS: ['replayWindowSeconds'],
  HOMEOSTAT_OPERATOR_TOKEN: ['operatorToken'],
  HOMEOSTAT_OPERATOR_TIMEOUT_MS: ['operatorTimeoutMs'],
  HOMEOSTAT_ALERTMANAGER_TOKEN: ['alertmanager', 'token'],
  HOMEOSTAT_ALERTMANAGER_USERNAME: ['alertmanager', 'username'],
  HOMEOSTAT_ALERTMANAGER_PASSWORD: ['alertmanager', 'password'],
  HOMEOSTAT_ALERTMANAGER_OPEN: ['alertmanager', 'open'],
  HOMEOSTAT_GRAFANA_SECRET: ['grafana', 'secret'],
  HOMEOSTAT_GRAFANA_SIGNATURE_HEADER: ['grafana', 'signatureHeader'],
  HOMEOSTAT_GRAFANA_TIMESTAMP_HEADER: ['grafana', 'timestampHeader'],
  HOMEOSTAT_GRAFANA_OPEN: ['grafana', 'open'],
  HOMEOSTAT_PAGERDUTY_SECRET: ['pagerduty', 'secrets'],
  HOMEOSTAT_PAGERDUTY_MAX_EVENT_AGE_SECONDS: ['pagerduty', 'maxEventAgeSeconds'],
  HOMEOSTAT_PAGERDUTY_OPEN: ['pagerduty', 'open'],
  HOMEOSTAT_GENERIC_SECRETS: ['generic', 'secrets'],
  HOMEOSTAT_GENERIC_OPEN: ['generic', 'open'],
  HOMEOSTAT_SNS_TOPIC_ARNS: ['cloudwatch', 'topicArns'],
  HOMEOSTAT_SNS_CERT_HOSTS: ['cloudwatch', 'certHosts'],
  HOMEOSTAT_SNS_OPEN: ['cloudwatch', 'open'],
};

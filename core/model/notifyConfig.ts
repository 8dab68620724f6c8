import { z } from 'zod';
import { severitySchema } from './alert';
import { envList as list } from './envValues';
import { MAX_CLOSE_WAIT_SECONDS } from './notification';

/**
 * Where incidents are announced: Slack (incoming webhook), PagerDuty (Events API v2) and a generic
 * webhook signed the Standard Webhooks way. Merged into config.ts as the `notifications` section. Each
 * notifier is a route too: `services` and `minSeverity` / `severities` choose the incidents it hears
 * about (absent: all). The environment configures one of each kind; the config file may add more under
 * `notifiers`.
 */

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const httpUrl = z.string().refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
  message: 'expected an http(s) URL',
});

/** Standard Webhooks secret: `whsec_` + base64 of at least 16 random bytes. */
const standardWebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'expected whsec_<base64>, as Standard Webhooks secrets are written')
  .refine((s) => Buffer.from(s.slice('whsec_'.length), 'base64').length >= 16, {
    message: 'the base64 part must decode to at least 16 bytes',
  });

const route = {
  /** Only incidents of these services (absent: every service). */
  services: list(z.string().min(1)).optional(),
  /** Only incidents at least this severe (info < warning < high < critical). */
  minSeverity: severitySchema.optional(),
  /** Only incidents of exactly these severities. */
  severities: list(severitySchema).optional(),
  /** A name for logs and errors (default: the kind, numbered when there are several). */
  name: z.string().min(1).max(64).optional(),
};

/** Sends per second and the burst above it, per notifier (Slack allows about one a second). */
const rate = (perSecond: number, burst: number) => ({
  ratePerSecond: z.coerce.number().positive().max(100).default(perSecond),
  burst: z.coerce.number().int().min(1).max(100).default(burst),
});

export const slackNotifierSchema = z.object({
  /** The incoming webhook URL (https://hooks.slack.com/services/…). */
  webhookUrl: httpUrl,
  ...route,
  ...rate(1, 3),
});

export const pagerdutyNotifierSchema = z.object({
  /** The integration's routing key (32 characters for Events API v2 integrations). */
  routingKey: z.string().min(1).max(64),
  eventsUrl: httpUrl.default(DEFAULT_PAGERDUTY_EVENTS_URL),
  ...route,
  ...rate(2, 5),
});

export const webhookNotifierSchema = z.object({
  url: httpUrl,
  /** Signing secrets (`whsec_…`); several while rotating: every one signs, receivers accept any. */
  secrets: list(standardWebhookSecret).refine((s) => s.length > 0, { message: 'at least one secret' }),
  ...route,
  ...rate(5, 10),
});

export const notifierSchema = z.discriminatedUnion('kind', [
  slackNotifierSchema.extend({ kind: z.literal('slack') }),
  pagerdutyNotifierSchema.extend({ kind: z.literal('pagerduty') }),
  webhookNotifierSchema.extend({ kind: z.literal('webhook') }),
]);
export type NotifierConfig = z.output<typeof notifierSchema>;

export const notifyConfigSchema = z.object({
  /** Base of the Temporal UI links in messages (default: the embedded UI, http://<ip>:<uiPort>). */
  uiBaseUrl: httpUrl.optional(),
  /**
   * How long a closing event (recovered, escalated, aborted, noise) keeps retrying before the incident
   * completes without it. Other events never hold the incident up: they retry for up to 10 minutes.
   */
  closeWaitSeconds: z.coerce.number().int().min(1).max(MAX_CLOSE_WAIT_SECONDS).default(30),
  slack: slackNotifierSchema.optional(),
  pagerduty: pagerdutyNotifierSchema.optional(),
  webhook: webhookNotifierSchema.optional(),
  /** More notifiers, each with its own route (config file only). */
  notifiers: z.array(notifierSchema).default([]),
});

export type NotifyConfig = z.output<typeof notifyConfigSchema>;
export type NotifyConfigInput = z.input<typeof notifyConfigSchema>;

/** Every configured notifier, the environment's first, named uniquely. */
export function configuredNotifiers(cfg: NotifyConfig): NotifierConfig[] {
  const all: NotifierConfig[] = [
    ...(cfg.slack ? [{ kind: 'slack' as const, ...cfg.slack }] : []),
    ...(cfg.pagerduty ? [{ kind: 'pagerduty' as const, ...cfg.pagerduty }] : []),
    ...(cfg.webhook ? [{ kind: 'webhook' as const, ...cfg.webhook }] : []),
    ...cfg.notifiers,
  ];
  const seen = new Map<string, number>();
  return all.map((n) => {
    const base = n.name ?? n.kind;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return { ...n, name: count === 1 ? base : `${base}-${count}` };
  });
}

/** Environment variable → path inside the `notifications` section. */
export const NOTIFY_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_NOTIFY_UI_BASE_URL: ['uiBaseUrl'],
  HOMEOSTAT_NOTIFY_CLOSE_WAIT_SECONDS: ['closeWaitSeconds'],
  HOMEOSTAT_SLACK_WEBHOOK_URL: ['slack', 'webhookUrl'],
  HOMEOSTAT_SLACK_SERVICES: ['slack', 'services'],
  HOMEOSTAT_SLACK_MIN_SEVERITY: ['slack', 'minSeverity'],
  HOMEOSTAT_PAGERDUTY_ROUTING_KEY: ['pagerduty', 'routingKey'],
  HOMEOSTAT_PAGERDUTY_EVENTS_URL: ['pagerduty', 'eventsUrl'],
  HOMEOSTAT_PAGERDUTY_SERVICES: ['pagerduty', 'services'],
  HOMEOSTAT_PAGERDUTY_MIN_SEVERITY: ['pagerduty', 'minSeverity'],
  HOMEOSTAT_WEBHOOK_NOTIFY_URL: ['webhook', 'url'],
  HOMEOSTAT_WEBHOOK_NOTIFY_SECRET: ['webhook', 'secrets'],
  HOMEOSTAT_WEBHOOK_NOTIFY_SERVICES: ['webhook', 'services'],
  HOMEOSTAT_WEBHOOK_NOTIFY_MIN_SEVERITY: ['webhook', 'minSeverity'],
};

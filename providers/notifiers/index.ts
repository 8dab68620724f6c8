import type { Severity } from '../../core/model/alert';
import type { HomeostatConfig } from '../../core/model/config';
import { severityAtLeast } from '../../core/model/notification';
import { configuredNotifiers, type NotifierConfig, type NotifyConfig } from '../../core/model/notifyConfig';
import { PagerDutyNotifier } from './pagerduty';
import { TokenBucket } from './rateLimit';
import { SlackNotifier } from './slack';
import { StandardWebhookNotifier } from './standardWebhook';
import type { Notifier } from './types';

export type { NotificationMessage, Notifier } from './types';
export { NotifierError } from './types';
export { renderMessage, type MessageContext } from './message';

/** A notifier with the incidents it hears about and its own send rate. */
export interface RoutedNotifier {
  notifier: Notifier;
  route: Pick<NotifierConfig, 'services' | 'minSeverity' | 'severities'>;
  limiter: TokenBucket;
}

/** What the notify activity needs: the notifiers, the UI link base, and the bound on closing events. */
export interface NotificationSetup {
  notifiers: RoutedNotifier[];
  uiBaseUrl?: string;
  closeWaitSeconds: number;
}

export function createNotifier(cfg: NotifierConfig & { name: string }): Notifier {
  switch (cfg.kind) {
    case 'slack':
      return new SlackNotifier(cfg.name, cfg.webhookUrl);
    case 'pagerduty':
      return new PagerDutyNotifier(cfg.name, cfg.routingKey, cfg.eventsUrl);
    case 'webhook':
      return new StandardWebhookNotifier(cfg.name, cfg.url, cfg.secrets);
  }
}

/** The configured notifiers, each with its route and rate limit. `defaultUiBaseUrl`: the embedded UI. */
export function createNotificationSetup(cfg: NotifyConfig, defaultUiBaseUrl?: string): NotificationSetup {
  const uiBaseUrl = cfg.uiBaseUrl ?? defaultUiBaseUrl;
  return {
    notifiers: configuredNotifiers(cfg).map((n) => ({
      notifier: createNotifier({ ...n, name: n.name! }),
      route: { services: n.services, minSeverity: n.minSeverity, severities: n.severities },
      limiter: new TokenBucket(n.ratePerSecond, n.burst),
    })),
    ...(uiBaseUrl ? { uiBaseUrl } : {}),
    closeWaitSeconds: cfg.closeWaitSeconds,
  };
}

/** Whether an incident of `service` at `severity` reaches a notifier with this route. */
export function routeMatches(route: RoutedNotifier['route'], service: string, severity: Severity): boolean {
  if (route.services && route.services.length > 0 && !route.services.includes(service)) return false;
  if (route.minSeverity && !severityAtLeast(severity, route.minSeverity)) return false;
  if (route.severities && route.severities.length > 0 && !route.severities.includes(severity)) return false;
  return true;
}

/**
 * The setup a worker builds from its configuration. Links point at the embedded Temporal UI unless
 * `notifications.uiBaseUrl` says otherwise; with TEMPORAL_ADDRESS and no uiBaseUrl, messages carry no link.
 */
export function notificationSetupFromConfig(
  cfg: Pick<HomeostatConfig, 'notifications' | 'embedded' | 'temporal'>,
): NotificationSetup {
  const { ip, uiPort, ui } = cfg.embedded;
  const host = ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip;
  const embeddedUi = !cfg.temporal.address && ui ? `http://${host}:${uiPort}` : undefined;
  return createNotificationSetup(cfg.notifications, embeddedUi);
}

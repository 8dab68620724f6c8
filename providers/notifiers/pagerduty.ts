import type { Severity } from '../../core/model/alert';
import type { NotificationKind } from '../../core/model/notification';
import { postJson } from './http';
import { clip } from './message';
import type { NotificationMessage, Notifier } from './types';

/**
 * PagerDuty Events API v2: one alert per incident (dedup_key), triggered when a human may be needed,
 * acknowledged while Homeostat acts on it, resolved when it ends without a human. Holds and pauses are
 * not pages.
 */
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

const ACTIONS: Record<NotificationKind, PagerDutyAction | undefined> = {
  opened: 'trigger',
  'approval-needed': 'trigger',
  escalated: 'trigger',
  'action-taken': 'acknowledge',
  recovered: 'resolve',
  noise: 'resolve',
  aborted: 'resolve',
  held: undefined,
  paused: undefined,
};

export const pagerDutyAction = (kind: NotificationKind): PagerDutyAction | undefined => ACTIONS[kind];

const SEVERITIES: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  warning: 'warning',
  info: 'info',
};

export class PagerDutyNotifier implements Notifier {
  readonly kind = 'pagerduty';
  constructor(
    readonly name: string,
    private readonly routingKey: string,
    private readonly eventsUrl: string,
  ) {}

  wants(message: NotificationMessage): boolean {
    return pagerDutyAction(message.event.kind) !== undefined;
  }

  async send(message: NotificationMessage, signal?: AbortSignal): Promise<void> {
    const body = pagerDutyBody(message, this.routingKey);
    if (!body) return;
    await postJson(`pagerduty ${this.name}`, this.eventsUrl, JSON.stringify(body), {}, signal);
  }
}

export function pagerDutyBody(
  m: NotificationMessage,
  routingKey: string,
): Record<string, unknown> | undefined {
  const action = pagerDutyAction(m.event.kind);
  if (!action) return undefined;
  const e = m.event;
  const links = m.uiUrl ? [{ href: m.uiUrl, text: 'Incident in the Temporal UI' }] : [];
  if (action !== 'trigger') return { routing_key: routingKey, event_action: action, dedup_key: m.dedupKey };
  return {
    routing_key: routingKey,
    event_action: action,
    dedup_key: m.dedupKey,
    payload: {
      summary: clip(m.headline, 1024),
      source: e.service,
      severity: SEVERITIES[e.severity],
      timestamp: e.at,
      component: e.service,
      ...(e.failureClass ? { group: e.failureClass } : {}),
      class: e.kind,
      custom_details: {
        incident: e.workflowId,
        title: e.title,
        detail: e.detail,
        event_id: m.eventId,
        ...(e.playbook ? { playbook: e.playbook } : {}),
        ...(m.commands ? { approve: m.commands.approve, abort: m.commands.abort } : {}),
      },
    },
    links,
    client: 'Homeostat',
    ...(m.uiUrl ? { client_url: m.uiUrl } : {}),
  };
}

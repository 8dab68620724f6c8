import { z } from 'zod';
import type { Alert } from '../../core/model/alert';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import { verifyPagerDuty } from '../auth/pagerdutySignature';
import { unauthorized } from '../http/errors';
import { parseJson } from '../http/body';
import { mapSeverity, parsePayload, slugService, toAlert } from './normalize';
import { authMode, type WebhookSource } from './types';

/** PagerDuty webhooks v3: one event per delivery; only incident events concern us. */
const pagerdutyPayloadSchema = z.object({
  event: z.object({
    id: z.string().min(1).max(200),
    event_type: z.string().min(1),
    resource_type: z.string(),
    occurred_at: z.iso.datetime({ offset: true }),
    data: z.looseObject({
      id: z.string().min(1).max(200),
      type: z.string().optional(),
      title: z.string().optional(),
      status: z.string().optional(),
      created_at: z.iso.datetime({ offset: true }).optional(),
      urgency: z.string().optional(),
      html_url: z.string().optional(),
      service: z.looseObject({ id: z.string().optional(), summary: z.string().min(1) }).optional(),
      priority: z.looseObject({ summary: z.string().optional() }).nullable().optional(),
    }),
  }),
});

/** Incident lifecycle → alert status; other events (acknowledged, annotated, …) start nothing. */
const STATUS_OF_EVENT: Record<string, Alert['status']> = {
  'incident.triggered': 'firing',
  'incident.reopened': 'firing',
  'incident.resolved': 'resolved',
};

const SENDER_FIELD: Record<string, string> = {
  service: 'event.data.service.summary',
  name: 'event.data.title',
  fingerprint: 'event.data.id',
  startsAt: 'event.data.created_at',
};

export function pagerdutySource(cfg: WebhookConfig['pagerduty']): WebhookSource {
  const auth = authMode(cfg.secrets.length > 0, cfg.open);
  return {
    name: 'pagerduty',
    mediaTypes: ['application/json'],
    auth,
    secretSetting: 'HOMEOSTAT_PAGERDUTY_SECRET',
    async receive(req) {
      if (auth === 'secured') verifyPagerDuty(req.headers, req.body, cfg.secrets);
      const { event } = parsePayload(pagerdutyPayloadSchema, parseJson(req.body));
      // PagerDuty signs no timestamp; refusing old events bounds what a captured request can replay.
      const ageSeconds = (req.now.getTime() - Date.parse(event.occurred_at)) / 1000;
      if (ageSeconds > cfg.maxEventAgeSeconds)
        throw unauthorized(`event.occurred_at is older than ${cfg.maxEventAgeSeconds} s`);
      const status = STATUS_OF_EVENT[event.event_type];
      if (event.resource_type !== 'incident' || !status)
        return { kind: 'alerts', alerts: [], deliveryId: event.id };
      const data = event.data;
      const priority = data.priority?.summary;
      const alert = toAlert(
        {
          source: 'pagerduty',
          fingerprint: data.id,
          service: slugService(data.service?.summary ?? ''),
          name: data.title ?? '',
          severity: priority ? mapSeverity(priority) : data.urgency === 'high' ? 'high' : 'warning',
          status,
          labels: {
            ...(data.service?.id ? { pagerduty_service_id: data.service.id } : {}),
            ...(data.urgency ? { urgency: data.urgency } : {}),
            ...(priority ? { priority } : {}),
          },
          annotations: data.html_url ? { html_url: data.html_url } : {},
          startsAt: data.created_at ?? event.occurred_at,
          ...(status === 'resolved' ? { endsAt: event.occurred_at } : {}),
          raw: event,
        },
        (field) => SENDER_FIELD[field] ?? `event.${field}`,
      );
      return { kind: 'alerts', alerts: [alert], deliveryId: event.id };
    },
  };
}

import { z } from 'zod';
import { alertSchema } from '../../core/model/alert';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import { verifyStandardWebhook } from '../auth/standardWebhooks';
import { parseJson } from '../http/body';
import { parsePayload, stableFingerprint } from './normalize';
import { authMode, type WebhookSource } from './types';

/**
 * Our own JSON shape for anything else that can send a signed webhook (documented in docs/webhooks.md).
 * `startsAt` is required so a retried delivery is recognizably the same firing.
 */
const genericAlertSchema = z.strictObject({
  service: alertSchema.shape.service,
  name: alertSchema.shape.name,
  status: alertSchema.shape.status.default('firing'),
  severity: alertSchema.shape.severity,
  fingerprint: alertSchema.shape.fingerprint.optional(),
  startsAt: alertSchema.shape.startsAt,
  endsAt: alertSchema.shape.endsAt,
  labels: alertSchema.shape.labels,
  annotations: alertSchema.shape.annotations,
});

const genericPayloadSchema = z.strictObject({
  alerts: z.array(genericAlertSchema).min(1).max(10_000),
});

export function genericSource(cfg: WebhookConfig['generic'], toleranceSeconds: number): WebhookSource {
  const auth = authMode(cfg.secrets.length > 0, cfg.open);
  return {
    name: 'generic',
    mediaTypes: ['application/json'],
    auth,
    secretSetting: 'HOMEOSTAT_GENERIC_SECRETS',
    async receive(req) {
      const delivery =
        auth === 'secured'
          ? verifyStandardWebhook(req.headers, req.body, cfg.secrets, req.now, toleranceSeconds)
          : undefined;
      const payload = parsePayload(genericPayloadSchema, parseJson(req.body));
      const alerts = payload.alerts.map((a) => {
        const labels = Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : 1));
        return {
          ...a,
          source: 'generic' as const,
          fingerprint: a.fingerprint ?? stableFingerprint([a.service, a.name, JSON.stringify(labels)]),
        };
      });
      return { kind: 'alerts', alerts, ...(delivery ? { deliveryId: delivery.id } : {}) };
    },
  };
}

import { z } from 'zod';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import { verifyGrafana } from '../auth/grafanaSignature';
import { parseJson } from '../http/body';
import { parsePayload } from './normalize';
import { fromPrometheusStyle, prometheusStyleAlertSchema } from './prometheusStyle';
import { authMode, type WebhookSource } from './types';

/** Grafana alerting's webhook contact point payload (its alerts follow Alertmanager's shape). */
const grafanaPayloadSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(prometheusStyleAlertSchema).min(1).max(10_000),
});

export function grafanaSource(cfg: WebhookConfig['grafana'], toleranceSeconds: number): WebhookSource {
  const auth = authMode(Boolean(cfg.secret), cfg.open);
  return {
    name: 'grafana',
    mediaTypes: ['application/json'],
    auth,
    secretSetting: 'HOMEOSTAT_GRAFANA_SECRET',
    async receive(req) {
      if (cfg.secret) {
        verifyGrafana(
          req.headers,
          req.body,
          {
            secret: cfg.secret,
            signatureHeader: cfg.signatureHeader,
            ...(cfg.timestampHeader ? { timestampHeader: cfg.timestampHeader } : {}),
          },
          req.now,
          toleranceSeconds,
        );
      }
      const payload = parsePayload(grafanaPayloadSchema, parseJson(req.body));
      return { kind: 'alerts', alerts: payload.alerts.map((a, i) => fromPrometheusStyle('grafana', a, i)) };
    },
  };
}

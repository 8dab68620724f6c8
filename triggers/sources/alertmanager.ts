import { z } from 'zod';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import { verifyBearerOrBasic } from '../auth/bearer';
import { parseJson } from '../http/body';
import { parsePayload } from './normalize';
import { fromPrometheusStyle, prometheusStyleAlertSchema } from './prometheusStyle';
import { authMode, type WebhookSource } from './types';

/** Prometheus Alertmanager's webhook receiver payload, version 4 (grouped alerts, firing and resolved). */
const alertmanagerPayloadSchema = z.object({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupKey: z.string(),
  alerts: z.array(prometheusStyleAlertSchema).min(1).max(10_000),
});

export function alertmanagerSource(cfg: WebhookConfig['alertmanager']): WebhookSource {
  const auth = authMode(Boolean(cfg.token || (cfg.username && cfg.password)), cfg.open);
  return {
    name: 'alertmanager',
    mediaTypes: ['application/json'],
    auth,
    secretSetting: 'HOMEOSTAT_ALERTMANAGER_TOKEN (or _USERNAME and _PASSWORD)',
    async receive(req) {
      if (auth === 'secured') verifyBearerOrBasic(req.headers, cfg);
      const payload = parsePayload(alertmanagerPayloadSchema, parseJson(req.body));
      return {
        kind: 'alerts',
        alerts: payload.alerts.map((a, i) => fromPrometheusStyle('alertmanager', a, i)),
      };
    },
  };
}

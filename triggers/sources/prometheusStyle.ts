import { z } from 'zod';
import type { Alert, AlertSource } from '../../core/model/alert';
import { endsAtIfSet, mapSeverity, toAlert } from './normalize';

/**
 * The alert shape Alertmanager (webhook v4) and Grafana alerting share: labels carry the identity
 * (`alertname`, `service` or `job`, `severity`), Alertmanager's fingerprint identifies the series.
 */
export const prometheusStyleAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(200),
});
export type PrometheusStyleAlert = z.output<typeof prometheusStyleAlertSchema>;

/** Where each Alert field came from in the sender's alert object. */
const SENDER_FIELD: Record<string, string> = {
  service: 'labels.service',
  name: 'labels.alertname',
  fingerprint: 'fingerprint',
  startsAt: 'startsAt',
  endsAt: 'endsAt',
  status: 'status',
};

export function fromPrometheusStyle(source: AlertSource, alert: PrometheusStyleAlert, index: number): Alert {
  const labels = alert.labels;
  const service = (labels.service ?? labels.job ?? '').trim().toLowerCase();
  const annotations = alert.generatorURL
    ? { ...alert.annotations, generator_url: alert.generatorURL }
    : alert.annotations;
  return toAlert(
    {
      source,
      fingerprint: alert.fingerprint,
      service,
      name: labels.alertname ?? '',
      severity: mapSeverity(labels.severity),
      status: alert.status,
      labels,
      annotations,
      startsAt: alert.startsAt,
      ...(alert.status === 'resolved' && endsAtIfSet(alert.endsAt) ? { endsAt: alert.endsAt } : {}),
    },
    (field) => `alerts[${index}].${SENDER_FIELD[field] ?? field}`,
  );
}

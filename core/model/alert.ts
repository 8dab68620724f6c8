import { z } from 'zod';

/**
 * The one shape every alert source is normalized to before it reaches an incident.
 * `fingerprint` + `startsAt` identify one firing of one alert: a re-delivery of the same pair is a duplicate.
 */
export const severitySchema = z.enum(['critical', 'high', 'warning', 'info']);
export type Severity = z.infer<typeof severitySchema>;

export const alertSourceSchema = z.enum([
  'alertmanager',
  'cloudwatch',
  'pagerduty',
  'grafana',
  'generic',
  'monitor',
  'detector',
]);
export type AlertSource = z.infer<typeof alertSourceSchema>;

const isoTime = z.iso.datetime({ offset: true });

export const alertSchema = z.object({
  source: alertSourceSchema,
  fingerprint: z.string().min(1).max(200),
  /** The Homeostat service name the alert is about (label `service`, or mapped by the source module). */
  service: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]{0,62}$/,
      'lowercase letters, digits, ".", "_" or "-", at most 63 characters',
    ),
  /** Alert name, e.g. `HighErrorRate`. */
  name: z.string().min(1).max(200),
  severity: severitySchema.default('warning'),
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: isoTime,
  endsAt: isoTime.optional(),
  /** The source's own payload for this alert, kept for the audit trail (bounded by the webhook's size limit). */
  raw: z.unknown().optional(),
});
export type Alert = z.output<typeof alertSchema>;
export type AlertInput = z.input<typeof alertSchema>;

/**
 * The failure scope: alerts about one failure of one service share it. A label `incident_scope` lets a
 * source split a service's failures (e.g. per cell); otherwise the whole service is one scope, so an
 * error-rate alert and a latency alert about the same bad release join one incident.
 */
export function incidentKey(alert: Pick<Alert, 'service' | 'labels'>): string {
  const scope = alert.labels.incident_scope?.trim();
  return scope ? `${alert.service}/${scope}` : alert.service;
}

/** Workflow id of the incident for a key. Temporal keeps one open workflow per id: a storm joins it. */
export function incidentWorkflowId(key: string): string {
  return `incident:${key}`;
}

/** Identity of one firing; the workflow drops an alert whose identity it has already seen in the same status. */
export function alertIdentity(alert: Pick<Alert, 'fingerprint' | 'startsAt' | 'status'>): string {
  return `${alert.fingerprint}@${alert.startsAt}#${alert.status}`;
}

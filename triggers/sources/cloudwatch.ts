import { z } from 'zod';
import type { Alert } from '../../core/model/alert';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import { SnsCertificateCache, urlHostAllowed, verifySnsSignature, type HttpGet } from '../auth/snsSignature';
import { badRequest, HttpError, unauthorized } from '../http/errors';
import { parseJson } from '../http/body';
import { mapSeverity, parsePayload, slugService, toAlert } from './normalize';
import { authMode, type WebhookSource } from './types';

/**
 * CloudWatch alarms delivered by an SNS HTTP(S) subscription. Every message is signature-checked
 * against AWS's certificate (host allow-listed); the topic allow-list decides whose alarms count.
 */
const snsEnvelopeSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(300),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.string(),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().min(1).max(2048),
  Subject: z.string().nullable().optional(),
  SubscribeURL: z.string().max(4096).optional(),
  Token: z.string().max(4096).optional(),
});

const alarmSchema = z.looseObject({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().nullable().optional(),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: z.string().optional(),
  StateChangeTime: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))), {
      message: 'not a timestamp',
    }),
  Region: z.string().optional(),
  AlarmArn: z.string().optional(),
  AWSAccountId: z.string().optional(),
  Trigger: z
    .looseObject({
      MetricName: z.string().optional(),
      Namespace: z.string().optional(),
      Dimensions: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    })
    .optional(),
});
type Alarm = z.output<typeof alarmSchema>;

/** `key=value` words in an alarm description override the mapping, e.g. "service=checkout severity=critical". */
function descriptionTags(description: string | null | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const match of (description ?? '').matchAll(/\b(service|severity|incident_scope)=([A-Za-z0-9._-]+)/g))
    tags[match[1]!] = match[2]!;
  return tags;
}

/** Dimension names that name the service an alarm is about, in order of preference. */
const SERVICE_DIMENSIONS = ['service', 'ServiceName', 'Service', 'FunctionName', 'DBInstanceIdentifier'];

function alarmToAlert(alarm: Alarm): Alert | undefined {
  if (alarm.NewStateValue === 'INSUFFICIENT_DATA') return undefined;
  const tags = descriptionTags(alarm.AlarmDescription);
  const dimensions = Object.fromEntries((alarm.Trigger?.Dimensions ?? []).map((d) => [d.name, d.value]));
  const fromDimension = SERVICE_DIMENSIONS.map((n) => dimensions[n]).find(Boolean);
  const at = new Date(
    Date.parse(alarm.StateChangeTime.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')),
  ).toISOString();
  const status = alarm.NewStateValue === 'ALARM' ? 'firing' : 'resolved';
  return toAlert(
    {
      source: 'cloudwatch',
      fingerprint: (alarm.AlarmArn ?? `${alarm.Region ?? ''}:${alarm.AlarmName}`).slice(0, 200),
      service: tags.service ?? slugService(fromDimension ?? ''),
      name: alarm.AlarmName,
      severity: mapSeverity(tags.severity ?? 'high'),
      status,
      labels: {
        ...Object.fromEntries(Object.entries(dimensions).map(([k, v]) => [`dimension_${k}`, v])),
        ...(tags.incident_scope ? { incident_scope: tags.incident_scope } : {}),
        ...(alarm.Region ? { region: alarm.Region } : {}),
        ...(alarm.Trigger?.MetricName ? { metric: alarm.Trigger.MetricName } : {}),
      },
      annotations: alarm.NewStateReason ? { reason: alarm.NewStateReason } : {},
      // CloudWatch says when the state changed, not when the alarm first fired: each change is one firing.
      startsAt: at,
      ...(status === 'resolved' ? { endsAt: at } : {}),
      raw: alarm,
    },
    (field) =>
      field === 'service'
        ? 'Message.Trigger.Dimensions (ServiceName) or "service=" in Message.AlarmDescription'
        : `Message.${field}`,
  );
}

export interface CloudwatchSourceOptions {
  /** How certificates are fetched and subscriptions confirmed (`fetch` by default; tests inject their own). */
  httpGet?: HttpGet;
}

export function cloudwatchSource(
  cfg: WebhookConfig['cloudwatch'],
  opts: CloudwatchSourceOptions = {},
): WebhookSource {
  const auth = authMode(cfg.topicArns.length > 0, cfg.open);
  const httpGet: HttpGet = opts.httpGet ?? ((url, init) => fetch(url, init));
  const certs = new SnsCertificateCache(cfg.certHosts, httpGet);
  return {
    name: 'cloudwatch',
    // SNS posts JSON labelled text/plain.
    mediaTypes: ['text/plain', 'application/json'],
    auth,
    secretSetting: 'HOMEOSTAT_SNS_TOPIC_ARNS',
    async receive(req) {
      const envelope = parsePayload(snsEnvelopeSchema, parseJson(req.body));
      // Always verified, even when open: AWS signs every message, so there is no reason to trust an unsigned one.
      await verifySnsSignature(envelope, certs);
      if (auth === 'secured' && !cfg.topicArns.includes(envelope.TopicArn))
        throw unauthorized(`topic ${envelope.TopicArn} is not in HOMEOSTAT_SNS_TOPIC_ARNS`);

      if (envelope.Type === 'SubscriptionConfirmation') {
        await confirmSubscription(envelope.SubscribeURL, cfg.certHosts, httpGet);
        return { kind: 'reply', status: 200, body: { confirmed: true, topicArn: envelope.TopicArn } };
      }
      if (envelope.Type === 'UnsubscribeConfirmation')
        return { kind: 'reply', status: 200, body: { unsubscribed: true, topicArn: envelope.TopicArn } };

      let message: unknown;
      try {
        message = JSON.parse(envelope.Message) as unknown;
      } catch {
        throw badRequest('Message', 'is not a CloudWatch alarm (not JSON)');
      }
      const alarm = parsePayload(alarmSchema, message, 'Message');
      const alert = alarmToAlert(alarm);
      return { kind: 'alerts', alerts: alert ? [alert] : [], deliveryId: envelope.MessageId };
    },
  };
}

async function confirmSubscription(
  url: string | undefined,
  hosts: readonly string[],
  httpGet: HttpGet,
): Promise<void> {
  if (!url || !urlHostAllowed(url, hosts))
    throw badRequest('SubscribeURL', 'is missing or its host is not an allowed SNS host');
  let status: number;
  try {
    status = (await httpGet(url, { signal: AbortSignal.timeout(10_000) })).status;
  } catch (err) {
    throw new HttpError(
      502,
      'confirmation_failed',
      `could not confirm the subscription: ${(err as Error).message}`,
    );
  }
  if (status < 200 || status >= 300)
    throw new HttpError(502, 'confirmation_failed', `SubscribeURL answered HTTP ${status}`);
}

import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from '../http/errors';
import { header, hmacSha256, safeEqualAny } from './constantTime';

/**
 * The Standard Webhooks scheme (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, possibly several space-separated signatures, keyed by `whsec_<base64>` secrets
 * (several while rotating), with a timestamp tolerance that bounds replays.
 */
export interface StandardWebhookDelivery {
  id: string;
  timestamp: number;
}

export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

export function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string | Buffer,
): string {
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(body)]);
  return `v1,${hmacSha256(secretKey(secret), signed).toString('base64')}`;
}

export function verifyStandardWebhook(
  headers: IncomingHttpHeaders,
  body: Buffer,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds: number,
): StandardWebhookDelivery {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures)
    throw unauthorized('missing webhook-id, webhook-timestamp or webhook-signature header');
  if (id.length > 256) throw unauthorized('webhook-id is too long');
  if (!/^\d{1,12}$/.test(timestampText))
    throw unauthorized('webhook-timestamp is not a Unix time in seconds');
  const timestamp = Number(timestampText);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds)
    throw unauthorized(`webhook-timestamp is more than ${toleranceSeconds} s away from now`);

  const given = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const signed = Buffer.concat([Buffer.from(`${id}.${timestampText}.`), body]);
  const expected = secrets.map((s) => hmacSha256(secretKey(s), signed));
  // Every (given, expected) pair is compared, so timing says nothing about which key or signature matched.
  let ok = false;
  for (const signature of given) ok = safeEqualAny(signature, expected) || ok;
  if (!ok) throw unauthorized('no valid v1 signature in webhook-signature');
  return { id, timestamp };
}

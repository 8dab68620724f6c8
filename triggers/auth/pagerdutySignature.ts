import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from '../http/errors';
import { header, hmacSha256, safeEqualAny } from './constantTime';

/** PagerDuty webhooks v3: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the body>[,v1=<…>]` (one per secret). */
export function signPagerDuty(secret: string, body: string | Buffer): string {
  return `v1=${hmacSha256(secret, body).toString('hex')}`;
}

export function verifyPagerDuty(
  headers: IncomingHttpHeaders,
  body: Buffer,
  secrets: readonly string[],
): void {
  const value = header(headers, 'x-pagerduty-signature');
  if (!value) throw unauthorized('missing X-PagerDuty-Signature header');
  const expected = secrets.map((s) => signPagerDuty(s, body));
  let ok = false;
  for (const given of value.split(',').map((s) => s.trim())) ok = safeEqualAny(given, expected) || ok;
  if (!ok) throw unauthorized('no valid v1 signature in X-PagerDuty-Signature');
}

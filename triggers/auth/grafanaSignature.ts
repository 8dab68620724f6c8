import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from '../http/errors';
import { header, hmacSha256, safeEqual } from './constantTime';

export interface GrafanaSigning {
  secret: string;
  signatureHeader: string;
  /** When configured, Grafana signs `timestamp:body`; the timestamp (Unix seconds) is then required. */
  timestampHeader?: string;
}

/** Grafana's contact-point HMAC: lowercase hex HMAC-SHA256 of the body, or of `timestamp:body`. */
export function signGrafana(secret: string, body: string | Buffer, timestamp?: string): string {
  const signed =
    timestamp === undefined
      ? Buffer.from(body)
      : Buffer.concat([Buffer.from(`${timestamp}:`), Buffer.from(body)]);
  return hmacSha256(secret, signed).toString('hex');
}

export function verifyGrafana(
  headers: IncomingHttpHeaders,
  body: Buffer,
  signing: GrafanaSigning,
  now: Date,
  toleranceSeconds: number,
): void {
  const signature = header(headers, signing.signatureHeader).toLowerCase();
  if (!signature) throw unauthorized(`missing ${signing.signatureHeader} header`);
  let timestamp: string | undefined;
  if (signing.timestampHeader) {
    timestamp = header(headers, signing.timestampHeader);
    if (!/^\d{1,12}$/.test(timestamp))
      throw unauthorized(`missing or malformed ${signing.timestampHeader} header (Unix seconds)`);
    if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds)
      throw unauthorized(`${signing.timestampHeader} is more than ${toleranceSeconds} s away from now`);
  }
  if (!safeEqual(signature, signGrafana(signing.secret, body, timestamp)))
    throw unauthorized(`invalid ${signing.signatureHeader}`);
}

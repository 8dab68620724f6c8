import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from '../http/errors';
import { header, safeEqual } from './constantTime';

export interface BearerOrBasic {
  token?: string;
  username?: string;
  password?: string;
}

/**
 * Checks `Authorization: Bearer <token>` or `Authorization: Basic <user:password>` against whichever
 * is configured. Throws 401 otherwise; the message never says which part was wrong.
 */
export function verifyBearerOrBasic(headers: IncomingHttpHeaders, creds: BearerOrBasic): void {
  const value = header(headers, 'authorization');
  const space = value.indexOf(' ');
  const scheme = value.slice(0, Math.max(0, space)).toLowerCase();
  const credentials = value.slice(space + 1).trim();
  if (scheme === 'bearer' && creds.token && safeEqual(credentials, creds.token)) return;
  if (scheme === 'basic' && creds.username && creds.password) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const userOk = safeEqual(decoded.slice(0, Math.max(0, colon)), creds.username);
    const passwordOk = safeEqual(decoded.slice(colon + 1), creds.password);
    if (colon > 0 && userOk && passwordOk) return;
  }
  throw unauthorized(value ? 'invalid credentials' : 'missing Authorization header');
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in constant time. Both sides are hashed first so `timingSafeEqual` always sees
 * equal lengths: neither the content nor the length of the expected value leaks through timing.
 */
export function safeEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when `given` equals any of `expected`; every candidate is compared, so timing tells nothing. */
export function safeEqualAny(given: string | Buffer, expected: readonly (string | Buffer)[]): boolean {
  let found = false;
  for (const candidate of expected) found = safeEqual(given, candidate) || found;
  return found;
}

export function hmacSha256(key: string | Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** A header's single value ("" when absent; the first when repeated). */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

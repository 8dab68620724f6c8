import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { alertSchema, type Alert, type AlertInput, type Severity } from '../../core/model/alert';
import { badRequest } from '../http/errors';

/** Severity words used by common alert sources, mapped to ours; anything else is `warning`. */
const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  emergency: 'critical',
  fatal: 'critical',
  page: 'critical',
  p1: 'critical',
  sev1: 'critical',
  high: 'high',
  error: 'high',
  major: 'high',
  p2: 'high',
  sev2: 'high',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  minor: 'warning',
  p3: 'warning',
  sev3: 'warning',
  info: 'info',
  informational: 'info',
  low: 'info',
  none: 'info',
  p4: 'info',
  p5: 'info',
  sev4: 'info',
};

export function mapSeverity(word: string | undefined | null): Severity {
  return SEVERITY_WORDS[(word ?? '').trim().toLowerCase()] ?? 'warning';
}

/** A human service name ("Checkout API") as a Homeostat service name ("checkout-api"). */
export function slugService(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|-+$/g, '')
    .slice(0, 63);
}

/** Go's zero time, which Alertmanager and Grafana send as `endsAt` of a firing alert. */
const ZERO_TIME = /^0001-01-01T/;
export const endsAtIfSet = (endsAt: string | undefined): string | undefined =>
  endsAt && !ZERO_TIME.test(endsAt) ? endsAt : undefined;

export function stableFingerprint(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** A zod issue path as the field name a sender recognizes: `alerts[0].labels.service`. */
export function fieldName(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || 'body';
}

/** Parses a source payload with its zod schema; a failure is a 400 naming the first wrong field. */
export function parsePayload<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw badRequest(
    fieldName(prefix, issue.path),
    issue.message,
    parsed.error.issues.slice(0, 10).map((i) => ({ field: fieldName(prefix, i.path), message: i.message })),
  );
}

/**
 * Validates one normalized alert. `fieldOf` maps an Alert field back to where the sender put it, so a
 * bad service name is reported as `alerts[2].labels.service`, not as our internal `service`.
 */
export function toAlert(input: AlertInput, fieldOf: (alertField: string) => string): Alert {
  const parsed = alertSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw badRequest(fieldOf(String(issue.path[0] ?? '')), issue.message);
}

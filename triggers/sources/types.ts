import type { IncomingHttpHeaders } from 'node:http';
import type { Alert, AlertSource } from '../../core/model/alert';

export interface SourceRequest {
  headers: IncomingHttpHeaders;
  /** The raw body exactly as received: signatures are computed over these bytes. */
  body: Buffer;
  now: Date;
}

/** What a source made of a request: alerts to deliver, or a reply of its own (e.g. SNS confirmation). */
export type SourceOutcome =
  | { kind: 'alerts'; alerts: Alert[]; deliveryId?: string }
  | { kind: 'reply'; status: number; body: Record<string, unknown> };

/**
 * `secured`: a secret is configured and every request must prove it; `open`: explicitly configured to
 * take unauthenticated requests; `unconfigured`: neither, so every request is refused (fail closed).
 */
export type AuthMode = 'secured' | 'open' | 'unconfigured';

/**
 * The one rule every source follows: a configured secret wins over `open` (so setting a secret can never
 * leave a source unauthenticated), and a source with neither fails closed.
 */
export function authMode(secretConfigured: boolean, open: boolean): AuthMode {
  return secretConfigured ? 'secured' : open ? 'open' : 'unconfigured';
}

/** One alert source: its URL path, what it accepts, and how it authenticates and parses a request. */
export interface WebhookSource {
  readonly name: AlertSource;
  readonly mediaTypes: readonly string[];
  readonly auth: AuthMode;
  /** Which setting makes this source secured, named in the refusal of an unconfigured source. */
  readonly secretSetting: string;
  /**
   * Authenticates the request (unless the source is open), then parses it. Throws an HttpError:
   * 401 for failed authentication, 400 naming the field for bad input.
   */
  receive(req: SourceRequest): Promise<SourceOutcome>;
}

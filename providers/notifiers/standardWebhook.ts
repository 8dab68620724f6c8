import { createHmac } from 'node:crypto';
import { postJson } from './http';
import type { NotificationMessage, Notifier } from './types';

/**
 * A generic webhook signed the Standard Webhooks way: `webhook-id` (the event id, the same on every
 * attempt, so the receiver dedupes), `webhook-timestamp` (Unix seconds of this attempt) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret while rotating).
 */
export class StandardWebhookNotifier implements Notifier {
  readonly kind = 'webhook';
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly secrets: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  wants(): boolean {
    return true;
  }

  async send(message: NotificationMessage, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookBody(message));
    const timestamp = Math.floor(this.now() / 1000);
    await postJson(
      `webhook ${this.name}`,
      this.url,
      body,
      signedHeaders(this.secrets, message.eventId, timestamp, body),
      signal,
    );
  }
}

/** The body: `type`, `timestamp` and `data`, as Standard Webhooks suggests. */
export function webhookBody(m: NotificationMessage) {
  return {
    type: `incident.${m.event.kind}`,
    timestamp: m.event.at,
    data: {
      ...m.event,
      id: m.eventId,
      headline: m.headline,
      dedupKey: m.dedupKey,
      ...(m.uiUrl ? { uiUrl: m.uiUrl } : {}),
      ...(m.commands ? { commands: m.commands } : {}),
    },
  };
}

export function signedHeaders(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, id, timestamp, body)).join(' '),
  };
}

export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

import type { IncidentNotification } from '../../core/model/notification';

/** One rendered notification: the event plus what every notifier shows with it. */
export interface NotificationMessage {
  event: IncidentNotification;
  /** The event id, safe for an HTTP header (≤ 200 printable ASCII characters). */
  eventId: string;
  /** One key per incident (≤ 255 characters): PagerDuty's dedup_key, so acknowledge and resolve find it. */
  dedupKey: string;
  /** One line for a phone's lock screen, Slack's `text` fallback and PagerDuty's summary. */
  headline: string;
  /** The incident in the Temporal UI. */
  uiUrl?: string;
  /** The exact commands that answer an approval request. */
  commands?: { approve: string; abort: string; status: string };
}

/** A notification channel: it sends one message or throws a NotifierError saying whether to retry. */
export interface Notifier {
  readonly name: string;
  readonly kind: 'slack' | 'pagerduty' | 'webhook';
  /** False when this channel has nothing to say about the event (PagerDuty on a hold, say). */
  wants(message: NotificationMessage): boolean;
  send(message: NotificationMessage, signal?: AbortSignal): Promise<void>;
}

export class NotifierError extends Error {
  override name = 'NotifierError';
  constructor(
    message: string,
    /** False for a request the receiver will never accept (400 invalid_payload, 404 no_service). */
    readonly retryable: boolean,
    /** The receiver's Retry-After, in seconds (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

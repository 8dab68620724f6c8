import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { isClosingKind, type IncidentNotification } from '../core/model/notification';
import {
  NotifierError,
  renderMessage,
  routeMatches,
  type NotificationMessage,
  type NotificationSetup,
  type RoutedNotifier,
} from '../providers/notifiers';
import type { ActivityDeps } from './deps';

/** What one notify call did, per notifier name (kept small: it lands in the incident's history). */
export interface NotifyReport {
  delivered: string[];
  failed: string[];
}

/** Keys remembered per process: enough for hundreds of incidents' events, bounded all the same. */
const REMEMBERED = 10_000;

/**
 * Notifications of incident events. Never on the incident's critical path: the workflow starts
 * `notifyIncident` without waiting for it and waits only for the closing event (`notifyIncidentClosed`),
 * whose retries this activity bounds by `closeWaitSeconds`.
 *
 * Each event goes to every notifier whose route matches, through that notifier's rate limit. An event
 * id a notifier has already taken in this process is not sent again (an activity retry after one
 * notifier failed resends only to that one); across processes, the id is the same on every attempt, so
 * the receiver dedupes (Standard Webhooks `webhook-id`, PagerDuty `dedup_key`).
 */
export function notifyActivities(deps: ActivityDeps) {
  const setup: NotificationSetup = deps.notifications ?? { notifiers: [], closeWaitSeconds: 30 };
  /** `<notifier>\n<event id>`: delivered, or refused for good (a 400 never turns into a 200). */
  const settled = new BoundedSet(REMEMBERED);
  /** `<notifier>\n<dedup key>` of PagerDuty alerts already resolved or escalated: a late trigger would reopen them. */
  const closed = new BoundedSet(REMEMBERED);

  async function sendOne(r: RoutedNotifier, m: NotificationMessage, signal: AbortSignal): Promise<void> {
    const { notifier } = r;
    const key = `${notifier.name}\n${m.eventId}`;
    if (settled.has(key)) return;
    const alertKey = `${notifier.name}\n${m.dedupKey}`;
    // An 'opened' or 'acting' page that arrives after the incident closed would reopen PagerDuty's alert.
    if (notifier.kind === 'pagerduty' && !isClosingKind(m.event.kind) && closed.has(alertKey)) return;
    await r.limiter.take(signal);
    try {
      await notifier.send(m, signal);
    } catch (err) {
      if (err instanceof NotifierError) {
        if (err.retryAfterSeconds !== undefined) r.limiter.closeFor(err.retryAfterSeconds);
        if (!err.retryable) settled.add(key);
      }
      throw err;
    }
    settled.add(key);
    if (isClosingKind(m.event.kind)) closed.add(alertKey);
  }

  /** One attempt at every notifier that still owes this event; the failures say whether to retry. */
  async function attempt(event: IncidentNotification) {
    const ctx = Context.current();
    const m = renderMessage(event, {
      ...(setup.uiBaseUrl ? { uiBaseUrl: setup.uiBaseUrl } : {}),
      namespace: ctx.info.workflowNamespace ?? 'default',
    });
    const targets = setup.notifiers.filter(
      (r) => routeMatches(r.route, event.service, event.severity) && r.notifier.wants(m),
    );
    const results = await Promise.allSettled(targets.map((r) => sendOne(r, m, ctx.cancellationSignal)));
    const report: NotifyReport = { delivered: [], failed: [] };
    const failures: NotifierError[] = [];
    results.forEach((res, i) => {
      const name = targets[i]!.notifier.name;
      if (res.status === 'fulfilled') return void report.delivered.push(name);
      report.failed.push(name);
      const err =
        res.reason instanceof NotifierError ? res.reason : new NotifierError(String(res.reason), true);
      failures.push(err);
    });
    return { report, failures };
  }

  return {
    /** Sends an event; throws (retried with backoff, after a Retry-After when given) while a notifier fails. */
    async notifyIncident(event: IncidentNotification): Promise<NotifyReport> {
      const { report, failures } = await attempt(event);
      if (failures.length === 0) return report;
      throw ApplicationFailure.create({
        message: failures.map((f) => f.message).join('; '),
        type: 'NotificationFailed',
        nonRetryable: failures.every((f) => !f.retryable),
        ...retryDelay(failures),
      });
    },

    /**
     * Sends a closing event, retrying with backoff (and Retry-After) for up to `closeWaitSeconds`, then
     * gives up and says which notifiers missed it: the incident completes either way.
     */
    async notifyIncidentClosed(event: IncidentNotification): Promise<NotifyReport> {
      const deadline = Date.now() + setup.closeWaitSeconds * 1000;
      const signal = Context.current().cancellationSignal;
      for (let backoffMs = 1000; ; backoffMs = Math.min(backoffMs * 2, 10_000)) {
        const { report, failures } = await attempt(event);
        const retryable = failures.filter((f) => f.retryable);
        if (retryable.length === 0) return report;
        const left = deadline - Date.now();
        const retryAfterMs = Math.max(0, ...retryable.map((f) => (f.retryAfterSeconds ?? 0) * 1000));
        // A receiver that asks for more time than is left is not asked again; otherwise the last try
        // comes at the deadline.
        if (left <= 0 || retryAfterMs > left || signal.aborted) {
          log.warn(`closing notification ${event.id} given up: ${failures.map((f) => f.message).join('; ')}`);
          return report;
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(Math.max(backoffMs, retryAfterMs), left)),
        );
      }
    },
  };
}

/** The longest Retry-After among the failures, as the next retry's delay (absent: the policy's backoff). */
function retryDelay(failures: NotifierError[]): { nextRetryDelay?: string } {
  const after = Math.max(0, ...failures.map((f) => f.retryAfterSeconds ?? 0));
  return after > 0 ? { nextRetryDelay: `${Math.min(after, 600)} seconds` } : {};
}

/** A set that forgets its oldest entries beyond `max`. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(key: string): boolean {
    return this.items.has(key);
  }
  add(key: string): void {
    this.items.add(key);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value as string);
  }
}

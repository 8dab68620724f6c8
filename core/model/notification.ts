import type { Severity } from './alert';
import type { Outcome } from './incidentState';

/**
 * What an incident tells the people around it: one event per moment worth a message. The workflow
 * builds these (deterministically: the id depends only on the incident and the moment, so a replay or
 * an activity retry sends the same id) and the notify activity renders them for each notifier.
 */

export const NOTIFICATION_KINDS = [
  'opened',
  'approval-needed',
  'action-taken',
  'held',
  'paused',
  'recovered',
  'escalated',
  'aborted',
  'noise',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The kinds that end an incident: the workflow waits (briefly) for these before it completes. */
export const CLOSING_KINDS: readonly NotificationKind[] = [
  'recovered',
  'escalated',
  'aborted',
  'noise',
] satisfies readonly Outcome[];

/** The longest a closing event may keep retrying (notifications.closeWaitSeconds). */
export const MAX_CLOSE_WAIT_SECONDS = 120;
/**
 * Start-to-close of the closing notification activity: its longest retrying, one more send (10 s
 * timeout) and a margin; a worker that dies meanwhile is noticed by the heartbeat long before.
 */
export const CLOSING_NOTIFY_TIMEOUT_SECONDS = 180;

export const isClosingKind = (kind: NotificationKind): boolean => CLOSING_KINDS.includes(kind);

export interface IncidentNotification {
  /** `<workflowId>/<firstRunId>/<moment>`: the same for every attempt and every replay of this event. */
  id: string;
  kind: NotificationKind;
  workflowId: string;
  /** The incident's first run: with the workflow id, one incident across continue-as-new. */
  firstRunId: string;
  service: string;
  severity: Severity;
  title: string;
  /** When it happened (workflow time, ISO 8601). */
  at: string;
  /** One line saying what happened. */
  detail: string;
  failureClass?: string;
  playbook?: string;
}

/** Severities from least to most urgent: what a route's `minSeverity` compares in. */
export const SEVERITY_ORDER: readonly Severity[] = ['info', 'warning', 'high', 'critical'];

export function severityAtLeast(severity: Severity, min: Severity): boolean {
  return SEVERITY_ORDER.indexOf(severity) >= SEVERITY_ORDER.indexOf(min);
}

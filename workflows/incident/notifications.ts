import { patched, proxyActivities } from '@temporalio/workflow';
import type { HomeostatActivities } from '../../activities';
import {
  CLOSING_NOTIFY_TIMEOUT_SECONDS,
  type IncidentNotification,
  type NotificationKind,
} from '../../core/model/notification';
import type { Outcome } from '../../core/model/incidentState';
import type { Ending, IncidentRun } from './run';

/**
 * Telling people (Slack, PagerDuty, signed webhooks) what the incident does. Added after histories were
 * recorded: every call is guarded by the patch 'notifications', so older histories replay unchanged.
 *
 * A notification must never hold up or fail a recovery. Events during the incident are started and not
 * awaited (their failure is swallowed; the activity retries for up to 10 minutes on its own). The closing
 * event is awaited, because an activity still pending when the workflow completes is never delivered:
 * the activity itself bounds that wait (notifications.closeWaitSeconds), so no timer is added here.
 */
export const NOTIFICATIONS_PATCH = 'notifications';

const during = proxyActivities<Pick<HomeostatActivities, 'notifyIncident'>>({
  startToCloseTimeout: '1 minute',
  // A dead receiver is retried with backoff, then given up: the incident has moved on long before.
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const closing = proxyActivities<Pick<HomeostatActivities, 'notifyIncidentClosed'>>({
  // The activity retries within closeWaitSeconds (≤ 120 s); a worker that dies meanwhile is noticed by
  // the heartbeat and the activity runs once more.
  startToCloseTimeout: `${CLOSING_NOTIFY_TIMEOUT_SECONDS} seconds`,
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});

/**
 * `moment` makes the event id unique within the incident and the same on replay (a step id, a plan
 * number): never a counter that would restart after continue-as-new.
 */
function event(
  run: IncidentRun,
  kind: NotificationKind,
  moment: string,
  detail: string,
): IncidentNotification {
  const { input, state } = run;
  return {
    id: `${run.workflowId}/${run.firstRunId}/${moment}`,
    kind,
    workflowId: run.workflowId,
    firstRunId: run.firstRunId,
    service: input.service,
    severity: state.severity,
    title: input.title,
    at: new Date().toISOString(),
    detail: detail.slice(0, 500),
    ...(state.diagnosis ? { failureClass: state.diagnosis.failureClass } : {}),
    ...(state.plan?.playbook ? { playbook: state.plan.playbook } : {}),
  };
}

/** Announces an event without waiting for it; its failure cannot reach the incident. */
export function notify(run: IncidentRun, kind: NotificationKind, moment: string, detail: string): void {
  if (!patched(NOTIFICATIONS_PATCH)) return;
  void during.notifyIncident(event(run, kind, moment, detail)).catch(() => undefined);
}

/** Announces how the incident ended and waits for it (bounded by the activity); call in a non-cancellable scope. */
export async function notifyClosed(run: IncidentRun, ending: Ending): Promise<void> {
  if (!patched(NOTIFICATIONS_PATCH)) return;
  const kind: Outcome = ending.outcome;
  const report = await closing.notifyIncidentClosed(event(run, kind, kind, ending.conclusion));
  if (report.failed.length > 0) throw new Error(`not delivered to ${report.failed.join(', ')}`);
}

/** The moment of an approval request: the plan, the steps so far and the decisions so far. */
export function approvalMoment(run: IncidentRun): string {
  const { state } = run;
  const decisions = state.approvals.length + (state.refusalsDropped ?? 0);
  return `approval/p${state.plansMade}/s${state.steps.length}/d${decisions}`;
}

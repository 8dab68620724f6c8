import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { alertIdentity, incidentKey, incidentWorkflowId, type Alert } from '../core/model/alert';
import { INCIDENT_WORKFLOW_TYPE, type AlertBatch, type IncidentInput } from '../core/model/incident';
import { alertSignal } from '../workflows/api';
import { SA_SERVICE, SA_SEVERITY, SA_PHASE } from '../workflows/searchAttributes';
import { tracedIntake } from './tracing';

export interface IntakeOptions {
  client: Client;
  taskQueue: string;
  deliveryId?: string;
  now?: () => Date;
}

export interface IntakeResult {
  key: string;
  workflowId: string;
  /** `signalled`: delivered to a new or running incident; `ignored`: a resolution with no open incident. */
  result: 'signalled' | 'ignored';
  alerts: number;
}

const SEVERITY_RANK = { critical: 0, high: 1, warning: 2, info: 3 } as const;

/**
 * Delivers alerts to their incidents: one signal per incident per call (a storm of N alerts about one
 * failure costs one history event, not N), started if no incident is open (`signalWithStart`).
 * Resolved-only batches never start an incident: a resolution for a closed one is ignored.
 * Returns only after Temporal has accepted every signal, so the caller may acknowledge the sender.
 */
export async function intake(alerts: readonly Alert[], opts: IntakeOptions): Promise<IntakeResult[]> {
  // With tracing on, the root span of the incident's trace (a no-op otherwise).
  return await tracedIntake(alerts.length, () => deliver(alerts, opts));
}

async function deliver(alerts: readonly Alert[], opts: IntakeOptions): Promise<IntakeResult[]> {
  const receivedAt = (opts.now?.() ?? new Date()).toISOString();
  const byKey = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const key = incidentKey(alert);
    const group = byKey.get(key) ?? [];
    // Alertmanager re-sends whole groups: keep one copy of each firing within a delivery.
    if (!group.some((a) => alertIdentity(a) === alertIdentity(alert))) group.push(alert);
    byKey.set(key, group);
  }

  return await Promise.all(
    [...byKey].map(async ([key, group]): Promise<IntakeResult> => {
      const workflowId = incidentWorkflowId(key);
      const batch: AlertBatch = {
        alerts: group,
        receivedAt,
        ...(opts.deliveryId ? { deliveryId: opts.deliveryId } : {}),
      };
      const firing = group.filter((a) => a.status === 'firing');
      if (firing.length === 0) {
        try {
          await opts.client.workflow.getHandle(workflowId).signal(alertSignal, batch);
          return { key, workflowId, result: 'signalled', alerts: group.length };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError)
            return { key, workflowId, result: 'ignored', alerts: group.length };
          throw err;
        }
      }
      const worst = [...firing].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0]!;
      const input: IncidentInput = {
        key,
        service: worst.service,
        severity: worst.severity,
        title: `${worst.name} on ${key}`,
        openedAt: receivedAt,
      };
      await opts.client.workflow.signalWithStart(INCIDENT_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: opts.taskQueue,
        args: [input],
        signal: alertSignal,
        signalArgs: [batch],
        typedSearchAttributes: [
          { key: SA_SERVICE, value: worst.service },
          { key: SA_SEVERITY, value: worst.severity },
          { key: SA_PHASE, value: 'triage' },
        ],
        staticSummary: `${worst.severity.toUpperCase()}: ${worst.name} on ${key}`.slice(0, 200),
      });
      return { key, workflowId, result: 'signalled', alerts: group.length };
    }),
  );
}

import type { Client } from '@temporalio/client';
import { INCIDENT_WORKFLOW_TYPE } from '../../core/model/incident';
import { OUTCOMES, type Outcome } from '../../core/model/incidentState';
import { SA_SERVICE } from '../../workflows/searchAttributes';
import type { ClosedIncident, OutcomeMemo } from './aggregate';

export interface ClosedIncidentQuery {
  /** Incidents closed at or after this moment. */
  since: Date;
  service?: string;
  /** Only this task queue's incidents (one deployment); omitted: the whole namespace, like `list`. */
  taskQueue?: string;
  /** At most this many, newest first: a scrape or a listing stays bounded however busy the namespace. */
  limit?: number;
}

export const DEFAULT_CLOSED_LIMIT = 1000;

/** Quotes and backslashes cannot be escaped in a visibility query; service names and queues have none. */
const literal = (value: string): string => `"${value.replace(/["\\]/g, '')}"`;

/**
 * The visibility query for closed incidents. A run that continued as new is not closed (its last run
 * is), so it is left out rather than counted as an incident without an outcome.
 */
export function closedIncidentsQuery(q: ClosedIncidentQuery): string {
  const parts = [
    `WorkflowType=${literal(INCIDENT_WORKFLOW_TYPE)}`,
    'ExecutionStatus!="Running"',
    'ExecutionStatus!="ContinuedAsNew"',
    `CloseTime>=${literal(q.since.toISOString())}`,
  ];
  if (q.service) parts.push(`HomeostatService=${literal(q.service)}`);
  if (q.taskQueue) parts.push(`TaskQueue=${literal(q.taskQueue)}`);
  return parts.join(' AND ');
}

/** The memo's outcome when it has the expected shape (a memo is free-form: anyone may write one). */
export function outcomeMemoOf(memo: Record<string, unknown> | undefined): OutcomeMemo | undefined {
  const value = memo?.outcome as Partial<OutcomeMemo> | undefined;
  if (!value || typeof value !== 'object') return undefined;
  if (!OUTCOMES.includes(value.outcome as Outcome)) return undefined;
  if (typeof value.durationSeconds !== 'number' || typeof value.closedAt !== 'string') return undefined;
  return value as OutcomeMemo;
}

/** Closed incidents with their outcome memos, newest first, from Temporal's visibility store. */
export async function readClosedIncidents(client: Client, q: ClosedIncidentQuery): Promise<ClosedIncident[]> {
  const limit = q.limit ?? DEFAULT_CLOSED_LIMIT;
  const incidents: ClosedIncident[] = [];
  for await (const info of client.workflow.list({
    query: closedIncidentsQuery(q),
    pageSize: Math.min(limit, 1000),
  })) {
    const service = info.typedSearchAttributes.get(SA_SERVICE);
    const memo = outcomeMemoOf(info.memo);
    incidents.push({
      workflowId: info.workflowId,
      status: info.status.name,
      ...(service ? { service } : {}),
      ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
      ...(memo ? { memo } : {}),
    });
    if (incidents.length >= limit) break;
  }
  return incidents;
}

/** /metrics looks back this far: the figures stay bounded however long the deployment runs. */
export const METRICS_WINDOW_SECONDS = 30 * 86400;

/** The reader /metrics uses: this deployment's incidents closed in the last 30 days, at most 1000. */
export function recentClosedIncidents(client: Client, taskQueue: string, now: () => number = Date.now) {
  return (): Promise<ClosedIncident[]> =>
    readClosedIncidents(client, {
      since: new Date(now() - METRICS_WINDOW_SECONDS * 1000),
      taskQueue,
      limit: DEFAULT_CLOSED_LIMIT,
    });
}

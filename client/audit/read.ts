import type { Client } from '@temporalio/client';
import type { GovernorLogEntry } from '../../core/model/governor';
import { INCIDENT_WORKFLOW_TYPE } from '../../core/model/incident';
import type { IncidentReport } from '../../core/model/incidentState';
import { stateQuery } from '../../workflows/api';
import type { Operator } from '../operator';
import type { IncidentAuditSource } from './merge';

/** An audit reads each incident's result or state: it looks at the newest this many incidents at most. */
export const MAX_AUDITED_INCIDENTS = 200;
/** Results and queries asked at once: enough to be quick, few enough to spare the server. */
const PARALLEL = 8;
/** An open incident whose worker is down never answers its query: it is reported unreadable after this. */
export const QUERY_DEADLINE_MS = 5_000;

export interface AuditSources {
  governorLog: GovernorLogEntry[];
  incidents: IncidentAuditSource[];
  /** Incidents whose decisions could not be read (an open one with no worker to answer its query). */
  unreadable: Array<{ workflowId: string; why: string }>;
  /** True when more incidents matched than were read. */
  truncated: boolean;
}

/**
 * Open incidents, and incidents closed since `since` (the last run of each; continued runs are not
 * closed); only one task queue's when given (the CLI reads the whole namespace, like `list`).
 */
export function auditQuery(since: Date, taskQueue?: string): string {
  return (
    `WorkflowType="${INCIDENT_WORKFLOW_TYPE}" AND ExecutionStatus!="ContinuedAsNew" AND ` +
    `(ExecutionStatus="Running" OR CloseTime>="${since.toISOString()}")` +
    (taskQueue ? ` AND TaskQueue="${taskQueue.replace(/["\\]/g, '')}"` : '')
  );
}

/**
 * The governor's log (pause, resume, breaker resets and whatever else it records) and the decisions and
 * steps of every incident open or closed since `since`: results of closed incidents (no worker needed),
 * the state query of open ones.
 */
export async function readAuditSources(
  client: Client,
  operator: Operator,
  since: Date,
  taskQueue?: string,
): Promise<AuditSources> {
  const governor = await operator.governor();
  const listed: Array<{ workflowId: string; runId: string; status: string }> = [];
  let truncated = false;
  for await (const info of client.workflow.list({ query: auditQuery(since, taskQueue), pageSize: 100 })) {
    if (listed.length >= MAX_AUDITED_INCIDENTS) {
      truncated = true;
      break;
    }
    listed.push({ workflowId: info.workflowId, runId: info.runId, status: info.status.name });
  }
  const incidents: IncidentAuditSource[] = [];
  const unreadable: AuditSources['unreadable'] = [];
  for (let i = 0; i < listed.length; i += PARALLEL) {
    await Promise.all(
      listed.slice(i, i + PARALLEL).map(async ({ workflowId, runId, status }) => {
        const handle = client.workflow.getHandle(workflowId, runId);
        try {
          if (status === 'RUNNING') {
            const s = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
              handle.query(stateQuery),
            );
            incidents.push({ workflowId, service: s.input.service, approvals: s.approvals, steps: s.steps });
          } else if (status === 'COMPLETED') {
            const r = (await handle.result()) as IncidentReport;
            incidents.push({ workflowId, service: r.service, approvals: r.approvals, steps: r.steps });
          } else unreadable.push({ workflowId, why: `ended ${status} without a result` });
        } catch (err) {
          unreadable.push({ workflowId, why: (err as Error).message });
        }
      }),
    );
  }
  return { governorLog: governor?.log ?? [], incidents, unreadable, truncated };
}

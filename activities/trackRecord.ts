import type { Client } from '@temporalio/client';
import { INCIDENT_WORKFLOW_TYPE } from '../core/model/incident';
import type { TrackRecord } from '../core/model/plan';
import { TRACK_RECORD_DAYS } from '../core/playbooks/trackRecord';

/**
 * How a playbook did on a service lately, from Temporal's visibility store: closed incidents of this
 * deployment (task queue) that ran it, by the HomeostatResult each set when it closed. Shared by every
 * worker and kept as long as the namespace keeps closed workflows.
 */
export async function readTrackRecord(
  client: Client,
  taskQueue: string,
  service: string,
  playbook: string,
  now = Date.now(),
): Promise<TrackRecord> {
  const quote = (v: string): string => JSON.stringify(v); // a name with a quote cannot break the query
  const since = new Date(now - TRACK_RECORD_DAYS * 86_400_000).toISOString();
  const base =
    `WorkflowType=${quote(INCIDENT_WORKFLOW_TYPE)} AND TaskQueue=${quote(taskQueue)} ` +
    `AND HomeostatService=${quote(service)} AND HomeostatPlaybook=${quote(playbook)} AND CloseTime > "${since}"`;
  const count = async (result: string): Promise<number> =>
    (await client.workflow.count(`${base} AND HomeostatResult="${result}"`)).count;
  const [recovered, failed] = await Promise.all([count('recovered'), count('failed')]);
  return { service, playbook, recovered, failed, days: TRACK_RECORD_DAYS };
}

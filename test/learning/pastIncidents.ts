import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { INCIDENT_WORKFLOW_TYPE } from '../../core/model/incident';
import { SA_PLAYBOOK, SA_RESULT, SA_SERVICE } from '../../workflows/searchAttributes';
import { waitFor } from '../fleet/fleetHarness';
import { testServerAddress } from '../harness/env';

/**
 * Closed incidents of a deployment (task queue) as Temporal's visibility lists them: started with the
 * search attributes a closed incident has, then closed. Made before the worker of that queue runs, so
 * none of them ever executes.
 */
export async function pastIncidents(
  taskQueue: string,
  count: number,
  attrs: { service: string; playbook?: string; result?: string },
): Promise<string[]> {
  const connection = await Connection.connect({ address: testServerAddress() });
  try {
    const client = new Client({ connection });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
        workflowId: `incident:${attrs.service}/past-${randomUUID().slice(0, 8)}`,
        taskQueue,
        args: [],
        typedSearchAttributes: [
          { key: SA_SERVICE, value: attrs.service },
          ...(attrs.playbook ? [{ key: SA_PLAYBOOK, value: attrs.playbook }] : []),
          ...(attrs.result ? [{ key: SA_RESULT, value: attrs.result }] : []),
        ],
      });
      await handle.terminate('a past incident, closed');
      ids.push(handle.workflowId);
    }
    await waitFor(
      'the past incidents in visibility',
      async () =>
        (await client.workflow.count(`TaskQueue="${taskQueue}" AND ExecutionStatus!="Running"`)).count ===
          count || undefined,
      30_000,
    );
    return ids;
  } finally {
    await connection.close();
  }
}

import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { stackSelfCheck } from '../workflows/selfCheck';
import { withWorker } from './harness/env';

describe('stackSelfCheck on the real dev server', () => {
  it('runs a workflow task and an activity through the worker', async () => {
    const report = await withWorker(async ({ client, taskQueue }) => {
      const workflowId = `self-check-${randomUUID()}`;
      const result = await client.workflow.execute(stackSelfCheck, { taskQueue, workflowId });
      expect(result.workflowId).toBe(workflowId);
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const kinds = (history.events ?? []).map((e) => e.eventType);
      const E = temporal.api.enums.v1.EventType;
      // Scheduled, started and completed in the server's own history: it really went through Temporal.
      expect(kinds).toEqual(
        expect.arrayContaining([
          E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
          E.EVENT_TYPE_ACTIVITY_TASK_STARTED,
          E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
          E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        ]),
      );
      return { result, taskQueue };
    });
    expect(report.result.taskQueue).toBe(report.taskQueue);
    expect(report.result.worker.pid).toBe(process.pid);
    expect(report.result.worker.attempt).toBe(1);
  });
});

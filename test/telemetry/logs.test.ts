import type { IncidentReport } from '../../core/model/incidentState';
import { intake } from '../../triggers/intake';
import { configureLogging } from '../../workers/logging';
import { testActivityDeps, withWorker } from '../harness/env';
import { firingAlert, waitForState } from '../incident/harness';

/**
 * The SDK's activity logger reaches Homeostat's JSON logger through the Runtime (test/harness/quietSdk.ts
 * installs the same adapter production does), so an activity's line names its incident, workflow and
 * activity type without the activity passing any of them.
 */
describe('structured logs', () => {
  const lines: string[] = [];
  beforeAll(() => {
    configureLogging({ level: 'info', format: 'json', destination: { write: (l: string) => lines.push(l) } });
  });
  afterAll(() => configureLogging({ level: 'warn', format: 'pretty' }));

  it("carries the incident id, workflow id and activity type on an incident's activity lines", async () => {
    const report = await withWorker(
      async ({ client, taskQueue }) => {
        const alert = firingAlert('checkout');
        const [opened] = await intake([alert], { client, taskQueue });
        const handle = client.workflow.getHandle(opened!.workflowId);
        await waitForState(handle, 'the alert', (s) => s.alertsSeen === 1);
        await intake([{ ...alert, status: 'resolved', endsAt: new Date().toISOString() }], {
          client,
          taskQueue,
        });
        return (await handle.result()) as IncidentReport;
      },
      { deps: { incidents: { ...testActivityDeps().incidents, triageSeconds: 5 } } },
    );
    expect(report.outcome).toBe('noise');

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const recorded = records.find((r) => r.activityType === 'recordOutcome');
    expect(recorded).toMatchObject({
      level: 'info',
      msg: 'incident noise: report recorded',
      sdkComponent: 'activity',
      incidentId: report.workflowId,
      workflowId: report.workflowId,
      workflowType: 'incidentWorkflow',
      outcome: 'noise',
    });
    expect(typeof recorded!.workflowRunId).toBe('string');
    expect(typeof recorded!.time).toBe('string');
    // The task token would let anyone reading the logs complete the activity.
    expect(records.some((r) => 'taskToken' in r)).toBe(false);
  });
});

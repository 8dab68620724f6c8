import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncidentReport } from '../../core/model/incidentState';
import { abortUpdate } from '../../workflows/api';
import { TEST_ENV, testActivityDeps, withWorker } from '../harness/env';
import { maybeRecordHistory } from '../harness/histories';
import { firingAlert, openIncident, waitForState } from './harness';

/**
 * The outcome belongs to Temporal (result, search attributes, memo); a copy outside it is a side effect
 * that may fail. Here the outside record can never be written (its directory is a file), and the
 * incident still completes with its outcome instead of failing after the record's retries.
 */
describe('incident: closing', () => {
  it('an outside record that cannot be written does not change the outcome', async () => {
    const blocker = join(process.env[TEST_ENV.dir]!, 'not-a-directory');
    writeFileSync(blocker, 'the record directory cannot be created under a file');
    const base = testActivityDeps();

    const { report, memo, status } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('closing'));
        await waitForState(handle, 'triage with a policy', (s) => s.phase === 'triage' && !!s.policy);
        await handle.executeUpdate(abortUpdate, { args: [{ by: 'sre', reason: 'closing test' }] });
        const report = (await handle.result()) as IncidentReport;
        await maybeRecordHistory(client, handle.workflowId, 'record-failed-outcome-kept');
        const description = await handle.describe();
        return { report, memo: description.memo, status: description.status.name };
      },
      {
        deps: {
          ...base,
          approvers: ['sre'],
          incidents: { ...base.incidents, triageSeconds: 3600 },
          recordDir: join(blocker, 'incidents'),
        },
      },
    );

    expect(status).toBe('COMPLETED');
    expect(report.outcome).toBe('aborted');
    expect(report.timeline.map((t) => t.event)).toContainEqual(
      expect.stringMatching(/could not record the outcome outside Temporal/),
    );
    // The outcome is kept where any machine can read it without the record: the memo.
    expect(memo).toMatchObject({ outcome: { outcome: 'aborted', conclusion: expect.stringMatching(/sre/) } });
  });
});

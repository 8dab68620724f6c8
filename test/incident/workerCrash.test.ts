import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { governorWorkflowId } from '../../core/model/governor';
import type { IncidentReport } from '../../core/model/incidentState';
import { governorQuery } from '../../workflows/governorApi';
import { testServerAddress, TEST_ENV } from '../harness/env';
import { waitFor } from '../fleet/fleetHarness';
import {
  actionPrefix,
  expectEachActionOnce,
  fastCatalogFile,
  firingAlert,
  injectBadRelease,
  killHard,
  ledger,
  openIncident,
  state,
  startWorkerProcess,
  INCIDENT_WINDOWS,
  useFleet,
} from './harness';

/**
 * A worker killed with SIGKILL at every step boundary of the bad-release path, each time replaced by a
 * new worker process: the incident still completes, and no action is applied twice.
 */
describe('incident: worker crashes', () => {
  const fleet = useFleet();
  let connection: Connection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: testServerAddress() });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('survives SIGKILL of the worker at every step boundary without repeating an action', async () => {
    const client = new Client({ connection });
    const taskQueue = `crash-${randomUUID()}`;
    // The fast catalog, no triage, short windows and no shutdown grace keep five worker generations
    // within the test's time. A worker process with every default (only the connection and the target
    // set), SIGTERMed with an action in flight: test/slow/productionDefaults.test.ts.
    const env = {
      TEMPORAL_ADDRESS: testServerAddress(),
      HOMEOSTAT_TASK_QUEUE: taskQueue,
      HOMEOSTAT_TARGET: 'local',
      HOMEOSTAT_FLEET_URL: fleet().fleet.controlUrl,
      HOMEOSTAT_PLAYBOOKS: fastCatalogFile(),
      HOMEOSTAT_TRIAGE_SECONDS: '0',
      HOMEOSTAT_RECENT_WINDOW_SECONDS: String(INCIDENT_WINDOWS.recentWindowSeconds),
      HOMEOSTAT_BASELINE_WINDOW_SECONDS: String(INCIDENT_WINDOWS.baselineWindowSeconds),
      HOMEOSTAT_STATE_DIR: process.env[TEST_ENV.dir]!,
      HOMEOSTAT_SHUTDOWN_GRACE_SECONDS: '0',
    };
    let worker = startWorkerProcess(env);
    try {
      await injectBadRelease(fleet());
      const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
      const prefix = actionPrefix(handle);

      const boundaries: Array<[string, () => Promise<boolean>]> = [
        [
          'canary action applied by the fleet',
          async () => (await ledger(fleet(), prefix)).some((e) => e.id.endsWith('canary.rollback-canary')),
        ],
        [
          'canary step baking before its verification',
          async () =>
            (await state(handle)).steps.some((s) => s.stage === 'canary' && s.status === 'verifying'),
        ],
        [
          'fleet-stage action applied by the fleet',
          async () => (await ledger(fleet(), prefix)).some((e) => e.id.endsWith('fleet.rollback-rest')),
        ],
        [
          'fleet-stage step baking before its verification',
          async () =>
            (await state(handle)).steps.some((s) => s.stage === 'fleet' && s.status === 'verifying'),
        ],
        ['final verification', async () => (await state(handle)).phase === 'verifying'],
      ];
      for (const [what, reached] of boundaries) {
        await waitFor(what, async () => ((await reached()) ? true : undefined), 120_000, 20);
        await killHard(worker);
        worker = startWorkerProcess(env);
      }

      const report = (await handle.result()) as IncidentReport;
      expect(report.outcome).toBe('recovered');
      expect(report.steps.map((s) => s.status)).toEqual(['done', 'done']);

      // Exactly the two planned actions reached the fleet, and it deployed exactly twice for us.
      await expectEachActionOnce(fleet(), prefix, report);

      // The history shows the crashes were real: some activity ran more than one attempt.
      const history = await handle.fetchHistory();
      const E = temporal.api.enums.v1.EventType;
      const attempts = (history.events ?? [])
        .filter((e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED)
        .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1);
      expect(Math.max(...attempts)).toBeGreaterThan(1);
      const scheduledActions = (history.events ?? []).filter(
        (e) =>
          e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
          e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeAction',
      );
      expect(scheduledActions).toHaveLength(2);

      // The governor counted one permit per step, whatever the crashes retried, and the lease is back.
      const governor = await client.workflow.getHandle(governorWorkflowId(taskQueue)).query(governorQuery);
      expect(governor.permits?.actions.map((a) => a.permitId).sort()).toEqual(
        report.steps.map((s) => s.actionId).sort(),
      );
      expect(governor.permits?.leases).toEqual({});
    } finally {
      await killHard(worker);
    }
    // Five worker processes, each bundling the workflows as it starts: more than the default 120 s on a
    // loaded 2-core machine.
  }, 300_000);
});

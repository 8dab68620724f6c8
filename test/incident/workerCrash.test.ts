import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { IncidentReport } from '../../core/model/incidentState';
import { testServerAddress } from '../harness/env';
import { waitFor } from '../fleet/fleetHarness';
import { activityRuns, crashWorkerEnv, expectPermitsReleased, scheduledCount } from './crashPoints';
import {
  actionPrefix,
  expectEachActionOnce,
  firingAlert,
  injectBadRelease,
  killHard,
  ledger,
  openIncident,
  state,
  startWorkerProcess,
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
    const env = crashWorkerEnv(fleet(), taskQueue);
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

      // The history shows the crashes were real: some activity ran more than one attempt; and the
      // workflow scheduled each action once.
      const runs = await activityRuns(handle);
      expect(Math.max(...runs.map((r) => r.attempt))).toBeGreaterThan(1);
      expect(scheduledCount(runs, 'executeAction')).toBe(2);

      // The governor counted one permit per step, whatever the crashes retried, and the lease is back.
      await expectPermitsReleased(client, taskQueue, report);
    } finally {
      await killHard(worker);
    }
    // Five worker processes, each bundling the workflows as it starts: more than the default 120 s on a
    // loaded 2-core machine.
  }, 300_000);
});

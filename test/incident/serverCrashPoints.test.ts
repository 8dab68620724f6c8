import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { IncidentReport } from '../../core/model/incidentState';
import { useCrashableServer } from '../harness/crashableServer';
import { abortUpdate } from '../../workflows/api';
import type { CrashAt } from './crashAt';
import {
  activityRuns,
  crashWorkerEnv,
  expectPermitsReleased,
  expectRetried,
  incidentDeploys,
  scheduledCount,
  startCrashWorker,
  waitForStop,
  type CrashWorker,
} from './crashPoints';
import {
  actionPrefix,
  firingAlert,
  injectBadRelease,
  killHard,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from './harness';

const FLEET = 'fleet.rollback-rest';

/**
 * The Temporal server SIGKILLed while an action, and then an undo, is in flight on a worker (a process
 * of its own, crashWorkerMain.ts, which stops at each point so the kill lands there), and restarted on
 * the same SQLite file each time. serverCrash.test.ts covers a crash between two steps.
 * - The fleet-stage action: the fleet applied it, the attempt is alive (heartbeating) but has not
 *   reported when the server dies; it reports to the restarted server, which accepts it.
 * - The fleet stage's undo after an abort: the fleet applied it and the attempt's report is lost (the
 *   worker never sends it, as a crash on the way would lose it). The restarted server times the attempt
 *   out from what its database kept and a second attempt finishes the undo from the fleet's ledger; had
 *   the restart lost the attempt's timer, the incident would hang here.
 * Either way the fleet sees each change once and every permit is released.
 */
describe('incident: the Temporal server SIGKILLed inside an action and an undo', () => {
  const server = useCrashableServer('server-crash-points');
  const { dir } = server;
  const fleet = useFleet();
  let worker: CrashWorker | undefined;

  afterAll(async () => {
    if (worker) await killHard(worker);
  });

  it('changes the fleet once per action and undo after server crashes during an action and its undo', async () => {
    const taskQueue = `server-crash-points-${randomUUID()}`;
    const at = (p: Omit<CrashAt, 'marker'>): CrashAt => ({ ...p, marker: join(dir, randomUUID()) });
    const action = at({
      activity: 'executeAction',
      when: 'after',
      match: FLEET,
      resumeWhen: join(dir, 'go'),
    });
    const undo = at({ activity: 'compensateStep', when: 'after', match: FLEET });
    worker = startCrashWorker(crashWorkerEnv(fleet(), taskQueue, server.address), [action, undo]);
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      await injectBadRelease(fleet());
      const bad = (await fleet().providers.remediation.describe('checkout')).targets[0]!.release;
      const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
      const prefix = actionPrefix(handle);

      await waitForStop(worker, action);
      await server.crash();
      writeFileSync(action.resumeWhen!, '');
      await waitForState(
        handle,
        'the fleet stage baking',
        (s) => s.steps.some((st) => st.stage === 'fleet' && st.status === 'verifying'),
        120_000,
      );
      await handle.executeUpdate(abortUpdate, { args: [{ by: 'sre', reason: 'crash test: undo' }] });
      await waitForStop(worker, undo);
      await server.crash();
      const report = (await handle.result()) as IncidentReport;

      expect(report.outcome).toBe('aborted');
      expect(report.steps.map((s) => s.status)).toEqual(['compensated', 'compensated']);
      // The fleet saw each action and each undo once, undos in reverse, and deployed once for each.
      const [canary, rest] = report.steps.map((s) => s.actionId);
      const changes = [canary, rest, `${rest}/undo0`, `${canary}/undo0`];
      expect((await ledger(fleet(), prefix)).map((e) => e.id)).toEqual(changes);
      expect(await incidentDeploys(fleet(), 'checkout', prefix)).toEqual(changes);
      const after = await fleet().providers.remediation.describe('checkout');
      expect(after.targets.every((t) => t.release === bad)).toBe(true);
      const runs = await activityRuns(handle);
      expectRetried(runs, 'compensateStep', FLEET);
      expect(scheduledCount(runs, 'executeAction')).toBe(2);
      expect(scheduledCount(runs, 'compensateStep')).toBe(2);
      await expectPermitsReleased(client, taskQueue, report);
    } finally {
      await connection.close();
    }

    // A worker process bundling the workflows, two server restarts and one heartbeat timeout.
    // The fleet is this file's own and stops after it: checkout stays on the bad release, nothing to reset.
  }, 240_000);
});

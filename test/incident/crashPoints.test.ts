import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { IncidentReport } from '../../core/model/incidentState';
import { abortUpdate } from '../../workflows/api';
import { TEST_ENV, testServerAddress } from '../harness/env';
import { waitFor } from '../fleet/fleetHarness';
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

const CANARY = 'canary.rollback-canary';
const FLEET = 'fleet.rollback-rest';

/**
 * A worker SIGKILLed inside each kind of activity of one bad-release incident (gathering, the canary's
 * permit, both stages' actions, the fleet stage's undo after an abort, the lease release, the outcome's
 * copy), each time replaced by a new worker process. The crash worker (crashWorkerMain.ts: the real worker
 * plus one activity interceptor) stops at a named point and hangs until killed, so every kill lands
 * inside the activity rather than near it, and the retry is a real one: the next worker only gets the
 * activity once the server gives up on the dead worker's attempt (its heartbeat timeout). What may not
 * repeat is counted: the fleet's ledger and deploys, the activities scheduled, the governor's permits.
 * workerCrash.test.ts covers the boundaries between steps (bakes, verifications) on the recovered path.
 */
describe('incident: a worker SIGKILLed inside each activity', () => {
  const fleet = useFleet();
  let connection: Connection;
  let client: Client;
  let markers: string;
  let worker: CrashWorker | undefined;

  beforeAll(async () => {
    connection = await Connection.connect({ address: testServerAddress() });
    client = new Client({ connection });
    markers = mkdtempSync(join(process.env[TEST_ENV.dir]!, 'crash-markers-'));
  });
  afterEach(async () => {
    if (worker) await killHard(worker);
  });
  afterAll(async () => {
    await connection?.close();
  });

  /** Kills the worker once it stopped at `at` (and `also` holds), and starts the next one. */
  const crashAt = async (
    env: Record<string, string>,
    at: CrashAt,
    next: CrashAt | undefined,
    also?: () => Promise<boolean>,
  ): Promise<void> => {
    await waitForStop(worker!, at);
    if (also)
      await waitFor(
        `${at.activity}: ${at.match ?? ''} reached the fleet`,
        async () => ((await also()) ? true : undefined),
        60_000,
        20,
      );
    await killHard(worker!);
    worker = startCrashWorker(env, next);
  };
  const point = (p: Omit<CrashAt, 'marker'>): CrashAt => ({ ...p, marker: join(markers, randomUUID()) });

  it('changes the fleet once per action and undo, and frees every permit, whatever activity the worker dies in', async () => {
    const taskQueue = `crash-points-${randomUUID()}`;
    const env = crashWorkerEnv(fleet(), taskQueue);
    const points: CrashAt[] = [
      // Gathering only reads; its retry must still lead to the same plan.
      point({ activity: 'gatherEvidence', when: 'during' }),
      // The governor granted the canary's permit, the worker died before reporting it: the retry asks
      // again with the same permit id, which the governor must count once. The update answers within
      // milliseconds, so a kill timed from the history (requestPermit scheduled) would race it and mostly
      // land before or after the activity; the interceptor stops it after the grant, every time. The
      // governor runs on the same task queue, so until the next worker starts it cannot answer either:
      // the retry also proves a permit request survives its governor being unreachable for a while.
      point({ activity: 'requestPermit', when: 'after', match: CANARY }),
      // The fleet applied the canary rollback, the worker died before reporting it.
      point({ activity: 'executeAction', when: 'after', match: CANARY }),
      // The fleet-stage rollback is under way in the fleet when the worker dies (killed once the fleet's
      // ledger has it): the retry waits for that change, never applies it again.
      point({ activity: 'executeAction', when: 'during', match: FLEET }),
      // An abort while the fleet stage bakes: the fleet undid the fleet-stage step, the worker died before
      // reporting it; the retry must find the undo in the ledger, not roll forward and back again.
      point({ activity: 'compensateStep', when: 'after', match: FLEET }),
      // Closing: the governor released the lease, then the outcome's copy was written; neither reported.
      point({ activity: 'releasePermits', when: 'after' }),
      point({ activity: 'recordOutcome', when: 'after' }),
    ];
    worker = startCrashWorker(env, points[0]);
    await injectBadRelease(fleet());
    const bad = (await fleet().providers.remediation.describe('checkout')).targets[0]!.release;
    const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
    const prefix = actionPrefix(handle);
    const fleetActionInLedger = async (): Promise<boolean> =>
      (await ledger(fleet(), prefix)).some((e) => e.id.endsWith(FLEET));

    for (const [i, at] of points.entries()) {
      if (at.activity === 'compensateStep') {
        await waitForState(
          handle,
          'the fleet stage baking',
          (s) => s.steps.some((st) => st.stage === 'fleet' && st.status === 'verifying'),
          120_000,
        );
        await handle.executeUpdate(abortUpdate, { args: [{ by: 'sre', reason: 'crash test: undo' }] });
      }
      await crashAt(
        env,
        at,
        points[i + 1],
        at.match === FLEET && at.activity === 'executeAction' ? fleetActionInLedger : undefined,
      );
    }
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
    // Each interrupted activity ran again, and no crash made the workflow schedule anything anew.
    const runs = await activityRuns(handle);
    expectRetried(runs, 'gatherEvidence');
    expectRetried(runs, 'requestPermit', CANARY);
    expectRetried(runs, 'executeAction', CANARY);
    expectRetried(runs, 'executeAction', FLEET);
    expectRetried(runs, 'compensateStep', FLEET);
    expectRetried(runs, 'releasePermits');
    expectRetried(runs, 'recordOutcome');
    expect(scheduledCount(runs, 'requestPermit')).toBe(2);
    expect(scheduledCount(runs, 'executeAction')).toBe(2);
    expect(scheduledCount(runs, 'compensateStep')).toBe(2);
    await expectPermitsReleased(client, taskQueue, report);
    // One copy of the outcome outside Temporal, though two attempts wrote it.
    const { runId } = await handle.describe();
    const copies = readdirSync(join(env.HOMEOSTAT_STATE_DIR!, 'incidents')).filter((f) => f.includes(runId));
    expect(copies).toHaveLength(1);

    // Eight worker processes, each bundling the workflows as it starts, and seven server-side timeouts.
    // The fleet is this file's own and stops after it: checkout stays on the bad release, nothing to reset.
  }, 480_000);
});

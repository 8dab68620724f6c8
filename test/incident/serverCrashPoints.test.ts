import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { IncidentReport } from '../../core/model/incidentState';
import { startDevServer, type RunningDevServer } from '../../workers/devServer';
import { freePort } from '../../workers/ports';
import { ensureSearchAttributes } from '../../workers/searchAttributes';
import { resolveTemporalCli } from '../../workers/temporalCli';
import { abortUpdate } from '../../workflows/api';
import { withWorker } from '../harness/env';
import { activityRuns, expectPermitsReleased, incidentDeploys, scheduledCount } from './crashPoints';
import { holdReleasesAfterApply, type Hold } from './heldProviders';
import {
  actionPrefix,
  deployByHand,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  ledger,
  openIncident,
  useFleet,
  waitForCalm,
  waitForState,
} from './harness';

const FLEET = 'fleet.rollback-rest';

/**
 * The Temporal server SIGKILLed while an action, and then an undo, is in flight: the fleet has applied
 * the change and the activity is still running (held by the test) when the server dies. The server is
 * restarted on the same SQLite file, the activity reports to it, and the incident ends having changed the
 * fleet once per action. serverCrash.test.ts covers a crash between two steps.
 *
 * Unlike the worker crashes (crashPoints.test.ts), nothing here forces a second attempt: the worker
 * survives, the server kept the attempt as started in its database, and the completion sent after the
 * restart is accepted. A retry would only follow a lost completion, which is what a dead worker is; the
 * same activities are retried there.
 */
describe('incident: the Temporal server SIGKILLed inside an action and an undo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-server-crash-points-'));
  const fleet = useFleet();
  let server: RunningDevServer | undefined;
  let port: number;

  const start = async (): Promise<RunningDevServer> =>
    await startDevServer({
      cli: resolveTemporalCli({ build: false }),
      ip: '127.0.0.1',
      port,
      dbFile: join(dir, 'temporal.db'),
      logFile: join(dir, 'temporal.log'),
      namespace: 'default',
    });

  /** Kills the server once the held change is applied, restarts it, then lets the activity report. */
  const crashServerWhileHeld = async (hold: Hold): Promise<void> => {
    await hold.reached;
    process.kill(server!.pid!, 'SIGKILL');
    await server!.stop();
    server = await start();
    hold.release();
  };

  beforeAll(async () => {
    port = await freePort();
    server = await start();
    const connection = await Connection.connect({ address: server.address });
    await ensureSearchAttributes(connection, 'default');
    await connection.close();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('changes the fleet once per action and undo after server crashes during an action and its undo', async () => {
    await injectBadRelease(fleet());
    const bad = (await fleet().providers.remediation.describe('checkout')).targets[0]!.release;
    const { providers, holds } = holdReleasesAfterApply(fleet().providers, [FLEET, `${FLEET}/undo0`]);

    const { report, prefix, runs } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        // The fleet-stage rollback applied, its activity still running: the server dies under it.
        await crashServerWhileHeld(holds[FLEET]!);
        await waitForState(
          handle,
          'the fleet stage baking',
          (s) => s.steps.some((st) => st.stage === 'fleet' && st.status === 'verifying'),
          120_000,
        );
        // An abort undoes both steps; the fleet stage's undo applied, its activity running: again.
        await handle.executeUpdate(abortUpdate, { args: [{ by: 'sre', reason: 'crash test: undo' }] });
        await crashServerWhileHeld(holds[`${FLEET}/undo0`]!);
        const report = (await handle.result()) as IncidentReport;
        // Whatever needs the server is read before the worker and its connection close.
        await expectPermitsReleased(client, taskQueue, report);
        return { report, prefix: actionPrefix(handle), runs: await activityRuns(handle) };
      },
      { address: `127.0.0.1:${port}`, deps: { ...incidentDeps(fleet(), { providers }), approvers: ['sre'] } },
    );

    expect(report.outcome).toBe('aborted');
    expect(report.steps.map((s) => s.status)).toEqual(['compensated', 'compensated']);
    // The fleet saw each action and each undo once, undos in reverse, and deployed once for each.
    const [canary, rest] = report.steps.map((s) => s.actionId);
    const changes = [canary, rest, `${rest}/undo0`, `${canary}/undo0`];
    expect((await ledger(fleet(), prefix)).map((e) => e.id)).toEqual(changes);
    expect(await incidentDeploys(fleet(), 'checkout', prefix)).toEqual(changes);
    expect(scheduledCount(runs, 'executeAction')).toBe(2);
    expect(scheduledCount(runs, 'compensateStep')).toBe(2);
    const after = await fleet().providers.remediation.describe('checkout');
    expect(after.targets.every((t) => t.release === bad)).toBe(true);

    await deployByHand(fleet(), 'checkout', 'v1', 'test-reset');
    await waitForCalm(fleet(), 'checkout');
  }, 240_000);
});

import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ENV_KEYS, loadConfig } from '../../core/model/config';
import type { Evidence } from '../../core/model/diagnosis';
import type { IncidentReport } from '../../core/model/incidentState';
import { approveUpdate } from '../../workflows/api';
import { testServerAddress, TEST_ENV } from '../harness/env';
import { resetTestFleet, sleep } from '../fleet/fleetHarness';
import { startHoldingProxy, type HoldingProxy } from './holdingProxy';
import {
  actionPrefix,
  checkoutErring,
  expectEachActionOnce,
  firingAlert,
  injectBadRelease,
  injectFault,
  killHard,
  openIncident,
  startWorkerProcess,
  useFleet,
  waitForState,
} from '../incident/harness';

const E = temporal.api.enums.v1.EventType;

/**
 * Issue 14, item 2: the incidents the fast tests run with cut timings, run here by a worker configured
 * exactly as production configures it. The worker is `npm run worker` (workers/workerMain.ts) in a
 * process of its own, and its environment holds only the connection (TEMPORAL_ADDRESS, the task queue),
 * the target (the fleet's URL), where it writes reports, and who may approve: every other setting, and
 * HOMEOSTAT_CONFIG, is blanked (loadConfig reads an empty variable as unset), so nothing in the shell
 * that runs the tests can shorten a default. That means the default catalog (bake times 10 s per step,
 * 5 s before the recovery check), the default windows (30 s recent, 600 s baseline), the 5 s triage wait,
 * the 900 s approval timeout and the 10 s shutdown grace.
 *
 * The fleet is young: it has served for a few seconds when the first incident opens, so the 600 s
 * baseline window holds far less than 600 s (none of it, before the recent 30 s). Diagnosis must work on
 * what there is: a bad release is judged against the service before its deploy, and an empty baseline
 * counts as error-free (core/diagnosis: a missing quiet quartile reads as 0), as a freshly deployed
 * Homeostat's first incident would be. No baseline is built up first, on purpose.
 */
describe('production defaults: a worker configured as production configures it', () => {
  // Before the fleet starts (in beforeAll): no metric of it is older than this.
  const beforeTheFleet = Date.now();
  const fleet = useFleet();
  let connection: Connection;
  let client: Client;
  const taskQueue = `defaults-${randomUUID()}`;
  let worker: (ChildProcess & { output: () => string }) | undefined;
  let proxy: HoldingProxy;

  /** The worker's environment: connection and target only; every other Homeostat setting unset. */
  const productionEnv = (): Record<string, string> => {
    const blank = Object.fromEntries(Object.keys(ENV_KEYS).map((k) => [k, '']));
    return {
      ...blank,
      HOMEOSTAT_CONFIG: '',
      TEMPORAL_ADDRESS: testServerAddress(),
      HOMEOSTAT_TASK_QUEUE: taskQueue,
      HOMEOSTAT_TARGET: 'local',
      // The fleet's control API through a proxy that forwards all but the one request a test holds.
      HOMEOSTAT_FLEET_URL: proxy.url,
      // Not timings: where the report copies go (not the repository's .state/) and who may approve
      // (the default list is empty, which allows nobody).
      HOMEOSTAT_STATE_DIR: process.env[TEST_ENV.dir]!,
      HOMEOSTAT_APPROVERS: 'alice',
    };
  };

  beforeAll(async () => {
    connection = await Connection.connect({ address: testServerAddress() });
    client = new Client({ connection });
    proxy = await startHoldingProxy(fleet().fleet.controlUrl, (id) => id.endsWith('/canary.rollback-canary'));
    worker = startWorkerProcess(productionEnv());
  });
  afterAll(async () => {
    if (worker) await killHard(worker);
    proxy?.release();
    await proxy?.close();
    await connection?.close();
  });

  it('the worker environment leaves every incident timing at its default', () => {
    const cfg = loadConfig({ ...process.env, ...productionEnv() });
    expect(cfg.incidents).toEqual({
      approvalTimeoutSeconds: 900,
      triageSeconds: 5,
      recentWindowSeconds: 30,
      baselineWindowSeconds: 600,
      dryRun: false,
    });
    expect(cfg.incidents.playbooks).toBeUndefined(); // the default catalog
    expect(cfg.worker.shutdownGraceSeconds).toBe(10);
  });

  it('a bad release: diagnosed on a young baseline, rolled back in two stages, one SIGTERM survived in the grace time', async () => {
    await resetTestFleet(fleet());
    const good = (await fleet().providers.remediation.describe('checkout')).targets[0]!.release;
    await injectBadRelease(fleet());
    // As production sees it: the monitor alerts on `web`, two hops above the broken release.
    const handle = await openIncident(client, taskQueue, firingAlert('web'));
    const prefix = actionPrefix(handle);

    // SIGTERM while the canary's action runs: its request has reached the fleet (through the proxy, which
    // holds it), so the activity is in flight on the worker. The SDK's shutdown lets it finish within the
    // 10 s grace (with none it would be cancelled and retried), and the worker exits cleanly. Waiting for
    // the request, not for the activity to show as pending: a SIGTERM the moment the action was scheduled
    // once lost its task here (the worker exited cleanly without running it; the server retried it after
    // the 20 s heartbeat timeout, and the fleet's ledger still applied it once).
    await proxy.arrived;
    const stopping = worker!;
    const exited = new Promise<number | null>((r) => stopping.once('exit', (code) => r(code)));
    stopping.kill('SIGTERM');
    // Nothing outside the worker shows that it has begun shutting down (it logs at WARN); a second is
    // ample for a process to handle a signal. Were the action let go first, the test would still pass
    // but prove less: the completion's worker identity below shows who finished it either way.
    await sleep(1_000);
    proxy.release();
    expect(await exited).toBe(0);
    worker = startWorkerProcess(productionEnv());

    const report = (await handle.result()) as IncidentReport;
    if (report.outcome !== 'recovered') console.log(report.conclusion, worker.output());
    expect(report).toMatchObject({
      outcome: 'recovered',
      failureClass: 'bad-release',
      playbook: 'rollback-bad-release',
    });
    expect(report.steps.map((s) => [s.stage, s.status])).toEqual([
      ['canary', 'done'],
      ['fleet', 'done'],
    ]);
    const after = await fleet().providers.remediation.describe('checkout');
    expect(after.targets.every((t) => t.release === good)).toBe(true);
    await expectEachActionOnce(fleet(), prefix, report);

    const history = await events(handle);
    // Every action ran once, on its first attempt: the SIGTERM cost no action a retry, and the canary's
    // was completed by the worker that was told to stop (an identity is `<pid>@<host>`).
    expect(activityAttempts(history, 'executeAction')).toEqual([1, 1]);
    expect(completedBy(history, 'executeAction')[0]).toMatch(new RegExp(`^${stopping.pid}@`));
    // The default timings, as the workflow waited them: triage, each stage's bake, the recovery bake.
    expect(timerSeconds(history)).toEqual([5, 10, 10, 5]);
    const [first] = expectDefaultWindows(history);
    // The baseline window reached back before the fleet existed: diagnosis ran on a young baseline.
    expect(Date.parse(first!.baselineFrom)).toBeLessThan(beforeTheFleet);
  }, 600_000);

  it('a payments outage: found two hops down, waits for approval, rerouted after the bake times', async () => {
    // From the fleet's initial state (the previous incident's errors are over), its history kept.
    await resetTestFleet(fleet());
    await injectFault(fleet(), 'payments', 'dependency-outage');
    await checkoutErring(fleet());
    const handle = await openIncident(client, taskQueue, firingAlert('web'));

    const waiting = await waitForState(
      handle,
      'awaiting approval',
      (s) => s.phase === 'awaiting-approval',
      180_000,
    );
    expect(waiting.diagnosis).toMatchObject({ failureClass: 'dependency-outage', rootService: 'payments' });
    expect(waiting.plan?.playbook).toBe('reroute-around-dependency');
    expect(waiting.policy).toMatchObject({ approvalTimeoutSeconds: 900, triageSeconds: 5 });
    // No fast path: the step's and the recovery's bake times run in full.
    const ok = await handle.executeUpdate(approveUpdate, {
      args: [{ by: 'alice', reason: 'standby pool is healthy' }],
    });
    expect(ok.accepted).toBe(true);

    const report = (await handle.result()) as IncidentReport;
    if (report.outcome !== 'recovered') console.log(report.conclusion, worker?.output());
    expect(report).toMatchObject({ outcome: 'recovered', failureClass: 'dependency-outage' });
    expect(report.steps).toMatchObject([
      {
        action: { kind: 'set-weights', service: 'payments', weights: { primary: 0, standby: 100 } },
        status: 'done',
      },
    ]);
    expect(report.steps[0]!.verification?.fastPath).toBeFalsy();
    const payments = await fleet().providers.remediation.describe('payments');
    expect(payments.weights).toMatchObject({ primary: 0, standby: 100 });

    const history = await events(handle);
    // Triage, the approval wait (its 900 s timeout), the step's bake and the recovery bake.
    expect(timerSeconds(history)).toEqual([5, 900, 10, 5]);
    expectDefaultWindows(history);
  }, 600_000);
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function events(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/** The attempt of each start of the named activity, in history order. */
function activityAttempts(history: HistoryEvent[], name: string): number[] {
  const scheduled = new Map<string, string>();
  for (const e of history) {
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
  }
  return history
    .filter(
      (e) =>
        e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
        scheduled.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) === name,
    )
    .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1);
}

/** The identity of the worker that completed each run of the named activity, in history order. */
function completedBy(history: HistoryEvent[], name: string): string[] {
  const names = new Map<string, string>();
  for (const e of history) {
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      names.set(String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
  }
  return history
    .filter(
      (e) =>
        e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
        names.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)) === name,
    )
    .map((e) => e.activityTaskCompletedEventAttributes?.identity ?? '');
}

/** Each timer the workflow started, in seconds, in history order. */
function timerSeconds(history: HistoryEvent[]): number[] {
  return history
    .filter((e) => e.eventType === E.EVENT_TYPE_TIMER_STARTED)
    .map((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0));
}

/** Every gathering read the default windows: 600 s of baseline before the 30 s recent window. */
function expectDefaultWindows(history: HistoryEvent[]): Evidence[] {
  const gathered = history
    .filter((e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
    .map((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.[0])
    .map((p) => (p ? defaultPayloadConverter.fromPayload<Partial<Evidence>>(p) : undefined))
    .filter((v): v is Evidence => typeof v?.baselineFrom === 'string' && typeof v.gatheredAt === 'string');
  expect(gathered.length).toBeGreaterThan(0);
  for (const ev of gathered) {
    const at = Date.parse(ev.gatheredAt);
    expect((at - Date.parse(ev.baselineFrom)) / 1000).toBe(630);
    expect((at - Date.parse(ev.recentFrom)) / 1000).toBe(30);
  }
  return gathered;
}

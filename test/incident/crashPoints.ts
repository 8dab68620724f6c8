import { existsSync } from 'node:fs';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { governorWorkflowId } from '../../core/model/governor';
import type { IncidentReport } from '../../core/model/incidentState';
import { governorQuery } from '../../workflows/governorApi';
import { TEST_ENV, testServerAddress, testWorkflowBundle } from '../harness/env';
import { waitFor, type TestFleet } from '../fleet/fleetHarness';
import { CRASH_AT_ENV, WORKFLOW_BUNDLE_ENV, type CrashAt } from './crashAt';
import { fastCatalogFile, ourDeploys, startWorkerProcess, INCIDENT_WINDOWS } from './harness';

export type CrashWorker = ReturnType<typeof startWorkerProcess>;

/** The environment of a worker process on `taskQueue` against the test fleet, with the fast catalog. */
export function crashWorkerEnv(
  fleet: TestFleet,
  taskQueue: string,
  address = testServerAddress(),
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: address,
    HOMEOSTAT_TASK_QUEUE: taskQueue,
    HOMEOSTAT_TARGET: 'local',
    HOMEOSTAT_FLEET_URL: fleet.fleet.controlUrl,
    // Fast catalog, no triage, short windows, no shutdown grace: a kill per crash point stays quick. The
    // defaults run on a worker process in test/slow/productionDefaults.test.ts (`npm run test:slow`).
    HOMEOSTAT_PLAYBOOKS: fastCatalogFile(),
    HOMEOSTAT_TRIAGE_SECONDS: '0',
    HOMEOSTAT_RECENT_WINDOW_SECONDS: String(INCIDENT_WINDOWS.recentWindowSeconds),
    HOMEOSTAT_BASELINE_WINDOW_SECONDS: String(INCIDENT_WINDOWS.baselineWindowSeconds),
    HOMEOSTAT_STATE_DIR: process.env[TEST_ENV.dir]!,
    HOMEOSTAT_SHUTDOWN_GRACE_SECONDS: '0',
    HOMEOSTAT_APPROVERS: 'sre',
    [WORKFLOW_BUNDLE_ENV]: testWorkflowBundle().codePath,
  };
}

/**
 * A real worker in a process of its own (crashWorkerMain.ts), which stops inside the activities `at`
 * names and hangs there (crashAt.ts).
 */
export function startCrashWorker(env: Record<string, string>, at?: CrashAt | CrashAt[]): CrashWorker {
  const points = at === undefined ? [] : [at].flat();
  return startWorkerProcess(
    { ...env, [CRASH_AT_ENV]: JSON.stringify(points) },
    'test/incident/crashWorkerMain.ts',
  );
}

/** Waits until the crash worker has stopped where it was told to (its marker file exists). */
export async function waitForStop(worker: CrashWorker, at: CrashAt, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    `the worker to stop in ${at.activity} (${at.when}${at.match ? `, ${at.match}` : ''})`,
    () => {
      if (worker.exitCode !== null) throw new Error(`the crash worker exited: ${worker.output()}`);
      return Promise.resolve(existsSync(at.marker) ? true : undefined);
    },
    timeoutMs,
    20,
  );
}

export interface ActivityRun {
  type: string;
  /** The JSON of its arguments, to tell one step's action from another's. */
  input: string;
  /** The attempt that ended it (Temporal writes ActivityTaskStarted once, with the last attempt). */
  attempt: number;
}

/** Every activity of a history that ended, with the attempt it ended on. */
export async function activityRuns(handle: WorkflowHandle): Promise<ActivityRun[]> {
  const E = temporal.api.enums.v1.EventType;
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, { type: string; input: string }>();
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (e.eventType !== E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || !a) continue;
    const input = (a.input?.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString()).join(',');
    scheduled.set(String(e.eventId), { type: a.activityType?.name ?? '?', input });
  }
  return events
    .filter((e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    .map((e) => {
      const a = e.activityTaskStartedEventAttributes!;
      return { ...scheduled.get(String(a.scheduledEventId))!, attempt: a.attempt ?? 1 };
    });
}

/**
 * The activity a crash interrupted ran again: the history holds a run of that type (and step, with
 * `match`) that ended on attempt 2 or later.
 */
export function expectRetried(runs: ActivityRun[], type: string, match?: string): void {
  const attempts = runs
    .filter((r) => r.type === type && (!match || r.input.includes(match)))
    .map((r) => r.attempt);
  // Compared as one object, so a failure names the activity and every attempt it ended on.
  expect({ type, match, retried: attempts.some((a) => a > 1), attempts }).toEqual({
    type,
    match,
    retried: true,
    attempts,
  });
}

/** How many times each activity type was scheduled (a crash must never make the workflow act anew). */
export function scheduledCount(runs: ActivityRun[], type: string): number {
  return runs.filter((r) => r.type === type).length;
}

/**
 * Every permit released: the governor of `taskQueue` counted one permit per step of the report, whatever
 * was retried, and holds no lease.
 */
export async function expectPermitsReleased(
  client: Client,
  taskQueue: string,
  report: IncidentReport,
): Promise<void> {
  const governor = await client.workflow.getHandle(governorWorkflowId(taskQueue)).query(governorQuery);
  expect(governor.permits?.actions.map((a) => a.permitId).sort()).toEqual(
    report.steps.map((s) => s.actionId).sort(),
  );
  expect(governor.permits?.leases).toEqual({});
}

/** Deploys of `service` made by the actions of one incident (`homeostat:<actionId>`, ids under `prefix`). */
export async function incidentDeploys(fleet: TestFleet, service: string, prefix: string): Promise<string[]> {
  return (await ourDeploys(fleet, service))
    .map((d) => d.by!.slice('homeostat:'.length))
    .filter((id) => id.startsWith(prefix));
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { ACTION_HEARTBEAT_SECONDS, actionTimeoutsFor } from '../../activities/deps';
import { ENV_KEYS, loadConfig, type HomeostatConfig } from '../../core/model/config';
import {
  awsMaxActionSeconds,
  createAwsClients,
  createAwsProviders,
  destroyAwsClients,
  type AwsClients,
} from '../../providers/aws';
import type { Providers } from '../../providers/types';
import { LEGACY_ACTION_TIMEOUTS } from '../../workflows/incident/proxies';
import { activityDepsFromConfig } from '../../workers/worker';
import { testServerAddress } from '../harness/env';
import type { actionUnderTest, ActionRunInput } from '../aws/actionWorkflow';
import { startMoto, type MotoServer } from '../aws/motoServer';
import { seed, type Seeded } from '../aws/seed';
import { slowRollouts, type SlowRollouts } from '../aws/slowRollouts';

const E = temporal.api.enums.v1.EventType;

/**
 * Issue 14, item 2: the AWS action path at production pace, unscaled. test/aws/actionTimeouts.e2e.test.ts
 * runs the same check with every time multiplied by 0.3; this one keeps the DEFAULT steady-state poll
 * interval (15 s) and timeout (1,800 s), and the timeouts the worker derives from them
 * (activityDepsFromConfig: heartbeat 20 s, start-to-close 1,980 s), against moto rollouts that stay in
 * progress for 25 s: longer than the heartbeat timeout, so two polls see the rollout unfinished. The only
 * AWS settings given are where moto is and what it holds (the seed's mapping); the steady-state section
 * is the default. Both proxies run: the derived timeouts, and the 10 s heartbeat that incidents recorded
 * before the derivation keep (LEGACY_ACTION_TIMEOUTS). One attempt each, so a heartbeat timeout fails.
 */
describe('AWS action at the default poll interval (moto, real worker, no scaling)', () => {
  let moto: MotoServer | undefined;
  let seeded: Seeded;
  let clients: AwsClients | undefined;
  let rollouts: SlowRollouts;
  let providers: Providers;
  let cfg: HomeostatConfig;
  let connection: Connection | undefined;
  let nativeConnection: NativeConnection | undefined;
  let client: Client;
  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  let dir: string | undefined;
  const taskQueue = `aws-default-poll-${randomUUID()}`;

  beforeAll(async () => {
    moto = await startMoto();
    seeded = await seed(moto, { minuteMetrics: false });
    // The configuration as production loads it: a HOMEOSTAT_CONFIG file with the target and its
    // mapping, every environment setting unset. The seed's fast steady-state section is left out.
    dir = mkdtempSync(join(tmpdir(), 'homeostat-aws-defaults-'));
    const { steadyState: _fast, ...mapping } = seeded.config;
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ target: 'aws', aws: mapping }));
    const blank = Object.fromEntries(Object.keys(ENV_KEYS).map((k) => [k, '']));
    cfg = loadConfig({ ...blank, HOMEOSTAT_CONFIG: file, HOMEOSTAT_STATE_DIR: dir });

    clients = createAwsClients(cfg.aws, { credentials: moto.credentials });
    rollouts = slowRollouts(clients, {
      'checkout-a': ACTION_HEARTBEAT_SECONDS * 1.25,
      'checkout-b': ACTION_HEARTBEAT_SECONDS * 1.25,
    });
    providers = createAwsProviders(cfg.aws, clients);

    const address = testServerAddress();
    connection = await Connection.connect({ address });
    nativeConnection = await NativeConnection.connect({ address });
    client = new Client({ connection, namespace: 'default' });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath: require.resolve('../aws/actionWorkflow'),
      activities: createActivities(activityDepsFromConfig(cfg, providers, client)),
      shutdownGraceTime: `${cfg.worker.shutdownGraceSeconds} seconds`,
    });
    workerDone = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await workerDone?.catch(() => undefined);
    await nativeConnection?.close();
    await connection?.close();
    if (clients) destroyAwsClients(clients);
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (input: Omit<ActionRunInput, 'scale' | 'fallback'>): Promise<WorkflowHandle> =>
    client.workflow.start<typeof actionUnderTest>('actionUnderTest', {
      taskQueue,
      workflowId: `action-${randomUUID()}`,
      args: [{ ...input, fallback: LEGACY_ACTION_TIMEOUTS, scale: 1 }],
    });

  const rollback = (actionId: string, cell: string) => ({
    actionId,
    action: { kind: 'set-release' as const, service: 'checkout', release: seeded.v1, targets: [cell] },
  });

  it('a rollout in progress for longer than the heartbeat timeout completes on the first attempt', async () => {
    // The defaults, as loaded: the poll interval is longer than the legacy 10 s heartbeat timeout.
    expect(cfg.aws.steadyState).toEqual({ pollSeconds: 15, timeoutSeconds: 1800 });
    const derived = actionTimeoutsFor({ maxActionSeconds: awsMaxActionSeconds(cfg.aws) });
    expect(derived.heartbeatSeconds).toBe(ACTION_HEARTBEAT_SECONDS);
    expect(cfg.aws.steadyState.pollSeconds).toBeGreaterThan(LEGACY_ACTION_TIMEOUTS.heartbeatSeconds);

    const handles = await Promise.all([
      start({
        req: rollback('defaults/derived', 'checkout-cell-a'),
        compensation: 'restore-release',
        usePolicy: true,
      }),
      start({
        req: rollback('defaults/legacy', 'checkout-cell-b'),
        compensation: 'restore-release',
        usePolicy: false,
      }),
    ]);
    const [a, b] = await Promise.all(handles.map((h) => h.result()));

    expect(a.timeouts).toEqual(derived);
    expect(b.timeouts).toEqual(LEGACY_ACTION_TIMEOUTS);
    for (const [result, cell] of [
      [a, 'checkout-cell-a'],
      [b, 'checkout-cell-b'],
    ] as const) {
      expect(result.outcome).toMatchObject({
        applied: true,
        before: { release: { [cell]: seeded.v2 } },
        after: { release: { [cell]: seeded.v1 } },
      });
    }
    for (const [handle, timeouts] of [
      [handles[0]!, derived],
      [handles[1]!, LEGACY_ACTION_TIMEOUTS],
    ] as const) {
      const action = await actionEvents(handle);
      // Under the heartbeat timeout given, one attempt, never timed out.
      expect(action.heartbeatSeconds).toBe(timeouts.heartbeatSeconds);
      expect(action.attempts).toEqual([1]);
      expect(action.timedOut).toBe(0);
    }
    expect(rollouts.updates('checkout-a')).toBe(1);
    expect(rollouts.updates('checkout-b')).toBe(1);
    // The premise held: an action cannot finish before its 25 s rollout does (the middleware shows it in
    // progress until then), and each was seen in progress on two reads, its first and one a poll later.
    expect(rollouts.inProgressSeen('checkout-a')).toBeGreaterThanOrEqual(2);
    expect(rollouts.inProgressSeen('checkout-b')).toBeGreaterThanOrEqual(2);
  });
});

/** The executeAction of a workflow's history: its heartbeat timeout, attempts and timeouts. */
async function actionEvents(handle: WorkflowHandle): Promise<{
  heartbeatSeconds: number;
  attempts: number[];
  timedOut: number;
}> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.find(
    (e) =>
      e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
      e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeAction',
  );
  const started = events.filter(
    (e) =>
      e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
  );
  return {
    heartbeatSeconds: Number(scheduled?.activityTaskScheduledEventAttributes?.heartbeatTimeout?.seconds ?? 0),
    attempts: started.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1),
    timedOut: events.filter((e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).length,
  };
}

import { CreateServiceCommand } from '@aws-sdk/client-ecs';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createActivities } from '../../activities';
import { actionTimeoutsFor } from '../../activities/deps';
import { awsConfigSchema, type AwsConfig } from '../../core/model/awsConfig';
import type { ActionTimeouts } from '../../core/model/incidentState';
import {
  awsMaxActionSeconds,
  createAwsClients,
  createAwsProviders,
  destroyAwsClients,
  type AwsClients,
} from '../../providers/aws';
import type { Providers } from '../../providers/types';
import { testActivityDeps, testServerAddress } from '../harness/env';
import type { actionUnderTest, ActionRunInput } from './actionWorkflow';
import { SEEDED_DESIRED_COUNT, startMoto, type MotoServer } from './motoServer';
import { seed, type Seeded } from './seed';
import { slowRollouts, type SlowRollouts } from './slowRollouts';

const EventType = temporal.api.enums.v1.EventType;

/**
 * Issue #10: an AWS action's steady-state wait heartbeated once per poll (every 15 s by default) under
 * a 10 s heartbeat timeout, so any rollout longer than one poll timed the action out; the AWS tests
 * passed only because they poll every 0.1 s. Here a real executeAction runs on a real worker against
 * moto with the PRODUCTION ratio of poll interval to timeouts: every production time (the default poll
 * interval, the default steady-state timeout, the action timeouts) is multiplied by the same SCALE, and
 * the rollouts stay in progress longer than the heartbeat timeout.
 *
 * SCALE shortens every one of those times. The same check UNSCALED — the default 15 s poll interval, the
 * derived 20 s heartbeat timeout, a 25 s rollout — is test/slow/awsDefaultPoll.test.ts (`npm run test:slow`).
 */
const SCALE = 0.3;
const PRODUCTION = awsConfigSchema.parse({});
/** What the incident workflow used before the timeouts were derived, and its fallback for old histories. */
const FALLBACK: ActionTimeouts = { startToCloseSeconds: 600, heartbeatSeconds: 10 };
/** The worker's derivation for the production AWS settings (start-to-close 1,980 s, heartbeat 20 s). */
const DERIVED = actionTimeoutsFor({ maxActionSeconds: awsMaxActionSeconds(PRODUCTION) });
const POLL_MS = PRODUCTION.steadyState.pollSeconds * 1000 * SCALE;
const HEARTBEAT_MS = DERIVED.heartbeatSeconds * 1000 * SCALE;

describe('AWS actions outlast their polls and hear their cancellation (moto, real worker)', () => {
  let moto: MotoServer | undefined;
  let seeded: Seeded;
  let clients: AwsClients | undefined;
  let rollouts: SlowRollouts;
  let providers: Providers;
  let connection: Connection | undefined;
  let nativeConnection: NativeConnection | undefined;
  let client: Client;
  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  const taskQueue = `aws-action-timeouts-${randomUUID()}`;

  beforeAll(async () => {
    moto = await startMoto();
    seeded = await seed(moto, { minuteMetrics: false });
    // A third cell for the cancellation, so the three actions never share a cell's ledger.
    const ecs = createAwsClients(seeded.config, { credentials: moto.credentials }).ecs;
    try {
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'checkout-c',
          taskDefinition: seeded.v2,
          desiredCount: SEEDED_DESIRED_COUNT,
        }),
      );
    } finally {
      ecs.destroy();
    }
    const checkout = seeded.config.services.checkout!;
    const config: AwsConfig = awsConfigSchema.parse({
      ...seeded.config,
      steadyState: {
        pollSeconds: PRODUCTION.steadyState.pollSeconds * SCALE,
        timeoutSeconds: PRODUCTION.steadyState.timeoutSeconds * SCALE,
      },
      services: {
        checkout: {
          ...checkout,
          cells: [...checkout.cells, { name: 'checkout-cell-c', cluster: 'prod', service: 'checkout-c' }],
        },
      },
    });
    clients = createAwsClients(config, { credentials: moto.credentials });
    // Longer than the heartbeat timeout; the cancelled one runs until the test ends it.
    const rolloutSeconds = (HEARTBEAT_MS * 1.25) / 1000;
    rollouts = slowRollouts(clients, {
      'checkout-a': rolloutSeconds,
      'checkout-b': rolloutSeconds,
      'checkout-c': 3600,
    });
    providers = createAwsProviders(config, clients);

    const address = testServerAddress();
    connection = await Connection.connect({ address });
    nativeConnection = await NativeConnection.connect({ address });
    client = new Client({ connection, namespace: 'default' });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath: require.resolve('./actionWorkflow'),
      activities: createActivities(testActivityDeps({ client, providers, actionTimeouts: DERIVED })),
      // The default 10 s grace is exercised in test/slow/productionDefaults.test.ts.
      shutdownGraceTime: '1 second',
    });
    workerDone = worker.run();
  });

  afterAll(async () => {
    // A failed cancellation test leaves its action waiting on a rollout that never ends: end it, so
    // the worker's shutdown does not wait for that action.
    (rollouts as SlowRollouts | undefined)?.finish('checkout-c', 0);
    worker?.shutdown();
    await workerDone?.catch(() => undefined);
    await nativeConnection?.close();
    await connection?.close();
    if (clients) destroyAwsClients(clients);
    await moto?.stop();
  });

  const start = (input: Omit<ActionRunInput, 'scale' | 'fallback'>) =>
    client.workflow.start<typeof actionUnderTest>('actionUnderTest', {
      taskQueue,
      workflowId: `action-${randomUUID()}`,
      args: [{ ...input, fallback: FALLBACK, scale: SCALE }],
    });

  const rollback = (actionId: string, cell: string) => ({
    actionId,
    action: { kind: 'set-release' as const, service: 'checkout', release: seeded.v1, targets: [cell] },
  });

  it('an action whose rollout outlasts the heartbeat timeout completes, with the derived timeouts and the fallback', async () => {
    // The production ratio: the poll interval is longer than the old heartbeat timeout.
    expect(POLL_MS).toBeGreaterThan(FALLBACK.heartbeatSeconds * 1000 * SCALE);

    const [derived, fallback] = await Promise.all([
      // The incident's proxy from loadPolicy: the worker's derived timeouts.
      start({
        req: rollback('timeouts/derived', 'checkout-cell-a'),
        compensation: 'restore-release',
        usePolicy: true,
      }),
      // Histories recorded before the derivation keep the 10 s heartbeat timeout: it must hold too.
      start({
        req: rollback('timeouts/fallback', 'checkout-cell-b'),
        compensation: 'restore-release',
        usePolicy: false,
      }),
    ]);
    const [a, b] = await Promise.all([derived.result(), fallback.result()]);

    expect(a.timeouts).toEqual(DERIVED);
    expect(b.timeouts).toEqual(FALLBACK);
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
    // The rollouts really outlasted the heartbeat timeout: each action saw its rollout in progress, so it
    // waited at least one poll interval (longer than the heartbeat timeout, checked above) before done.
    expect(rollouts.inProgressSeen('checkout-a')).toBeGreaterThanOrEqual(1);
    expect(rollouts.inProgressSeen('checkout-b')).toBeGreaterThanOrEqual(1);
    expect(rollouts.updates('checkout-a')).toBe(1);
    expect(rollouts.updates('checkout-b')).toBe(1);
    const topology = await providers.remediation.describe('checkout');
    expect(topology.targets.filter((t) => t.id !== 'checkout-cell-c').map((t) => t.release)).toEqual([
      seeded.v1,
      seeded.v1,
    ]);
  });

  it('cancelling mid-rollout stops the provider at once; the compensation learns the outcome from the ledger and undoes it', async () => {
    const handle = await start({
      req: rollback('timeouts/cancelled', 'checkout-cell-c'),
      compensation: 'restore-release',
      usePolicy: true,
    });
    await until('the rollout on checkout-c to start', () => rollouts.startedAt('checkout-c') !== undefined);
    // Into the steady-state wait: the provider has seen its rollout in progress.
    await until(
      'the provider to see the rollout in progress',
      () => rollouts.inProgressSeen('checkout-c') > 0,
    );

    await handle.cancel();
    await until('executeAction to be reported cancelled', () =>
      hasEvent(handle, 'EVENT_TYPE_ACTIVITY_TASK_CANCELED'),
    );
    // Heard on a heartbeat (the SDK sends every 0.8 × the timeout): the rollout never ends on its own, and
    // the activity was cancelled, not timed out for a missed heartbeat.
    expect(await hasEvent(handle, 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT')).toBe(false);

    // The compensation asks with the step's own id and waits for the rollout the step started.
    rollouts.finish('checkout-c', 1);
    const result = await handle.result();
    expect(result.outcome).toBeUndefined();
    expect(result.undone).toEqual([expect.stringMatching(/release checkout:2 applied to checkout-cell-c/)]);
    // One UpdateService for the step (never repeated) and one for its undo.
    expect(rollouts.updates('checkout-c')).toBe(2);
    const cell = (await providers.remediation.describe('checkout')).targets.find(
      (t) => t.id === 'checkout-cell-c',
    );
    expect(cell?.release).toBe(seeded.v2);
  });
});

/** Whether the workflow's history has an event of this type (ACTIVITY_TASK_CANCELED, …). */
async function hasEvent(handle: WorkflowHandle, type: keyof typeof EventType): Promise<boolean> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).some((e) => e.eventType === EventType[type]);
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

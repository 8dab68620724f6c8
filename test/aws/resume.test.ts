import { CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { awsConfigSchema } from '../../core/model/awsConfig';
import { createAwsClients, createAwsProviders, destroyAwsClients } from '../../providers/aws';
import { ProviderError } from '../../providers/types';
import { recordCommands } from './commandLog';
import { cellsOnMoto } from './ecsReader';
import { SEEDED_DESIRED_COUNT } from './motoServer';
import { useSeededMoto } from './seededMoto';

/**
 * A worker that dies while an action waits for steady state: the activity is retried with the same
 * actionId. Simulated by failing the progress callback (where the activity heartbeats) right after the
 * mutating call went out, which ends the call there just as a dead worker would.
 */
describe('AWS actions resumed after the worker died mid-wait (moto)', () => {
  const aws = useSeededMoto();

  const dieOnFirstProgress = () => {
    throw new Error('worker died');
  };

  it('setRelease resumes by waiting only, and still reports the release from before the first attempt', async () => {
    const request = {
      actionId: 'inc-2/rollback/stage-1',
      service: 'checkout',
      release: aws.seeded.v1,
      targets: ['checkout-cell-a'],
    };
    await expect(aws.remediation.setRelease({ ...request, onProgress: dieOnFirstProgress })).rejects.toThrow(
      'worker died',
    );
    expect(aws.commands.count('UpdateService')).toBe(1);
    expect((await cellsOnMoto(aws.moto))['checkout-cell-a']!.taskDefinition).toBe(aws.seeded.v1);

    const progress: string[] = [];
    const resumed = await aws.remediation.setRelease({ ...request, onProgress: (d) => progress.push(d) });
    expect(aws.commands.count('UpdateService')).toBe(1);
    expect(aws.commands.count('DescribeServices')).toBeGreaterThanOrEqual(3);
    // The first attempt's result never reached the workflow: this one is it, with the true `before`.
    expect(resumed).toMatchObject({
      applied: true,
      before: { release: { 'checkout-cell-a': aws.seeded.v2 } },
      after: { release: { 'checkout-cell-a': aws.seeded.v1 } },
    });
    expect(resumed.summary).toMatch(/applied earlier to checkout-cell-a/);
    expect(progress.some((p) => p.includes('UpdateService'))).toBe(false);
  });

  it('restart resumes without a second deployment', async () => {
    const before = await cellsOnMoto(aws.moto);
    const request = { actionId: 'inc-2/restart', service: 'checkout', targets: ['checkout-cell-b'] };
    await expect(aws.remediation.restart({ ...request, onProgress: dieOnFirstProgress })).rejects.toThrow(
      'worker died',
    );
    const afterFirst = await cellsOnMoto(aws.moto);
    expect(afterFirst['checkout-cell-b']!.deploymentId).not.toBe(before['checkout-cell-b']!.deploymentId);

    const resumed = await aws.remediation.restart(request);
    expect(resumed.applied).toBe(true);
    expect(aws.commands.count('UpdateService')).toBe(1);
    expect((await cellsOnMoto(aws.moto))['checkout-cell-b']!.deploymentId).toBe(
      afterFirst['checkout-cell-b']!.deploymentId,
    );
  });

  it('setWeights resumes without a second ModifyListener and returns the weights from before', async () => {
    const request = {
      actionId: 'inc-2/reroute',
      service: 'checkout',
      weights: { 'checkout-a': 10, 'checkout-b': 90 },
    };
    await expect(aws.remediation.setWeights({ ...request, onProgress: dieOnFirstProgress })).rejects.toThrow(
      'worker died',
    );
    const resumed = await aws.remediation.setWeights(request);
    expect(resumed).toMatchObject({
      applied: true,
      before: { weights: { 'checkout-a': 50, 'checkout-b': 50 } },
      after: { weights: { 'checkout-a': 10, 'checkout-b': 90 } },
    });
    expect(aws.commands.count('ModifyListener')).toBe(1);
  });

  it('a worker dying in the polling wait of a rollout that never settles: the retry only polls, then gives up', async () => {
    // moto reports MOTO_ECS_SERVICE_RUNNING tasks for a new service; asking for one more leaves its
    // rollout IN_PROGRESS forever — a stuck deployment.
    const ecs = new ECSClient({
      region: aws.moto.region,
      endpoint: aws.moto.endpoint,
      credentials: aws.moto.credentials,
    });
    try {
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'checkout-stuck',
          taskDefinition: aws.seeded.v2,
          desiredCount: SEEDED_DESIRED_COUNT + 1,
        }),
      );
    } finally {
      ecs.destroy();
    }
    const config = awsConfigSchema.parse({
      ...aws.seeded.config,
      // Shortened so the wait gives up within the test; the default poll interval and timeout run in
      // test/slow/awsDefaultPoll.test.ts.
      steadyState: { pollSeconds: 0.1, timeoutSeconds: 1 },
      services: { stuck: { cells: [{ name: 'stuck-cell', cluster: 'prod', service: 'checkout-stuck' }] } },
    });
    const stuckClients = createAwsClients(config, { credentials: aws.moto.credentials });
    const stuckCommands = recordCommands(stuckClients);
    try {
      // The wait's clock moves only when the wait sleeps: the 1 s timeout takes no real second, and the
      // number of polls before it is exact (one at the start, then one each 0.1 s up to the deadline).
      let clock = Date.parse('2026-12-01T10:00:00Z');
      const waitClock = { now: () => clock, sleep: async (ms: number) => void (clock += ms) };
      const stuck = createAwsProviders(config, stuckClients, waitClock).remediation;
      const request = { actionId: 'inc-3/rollback', service: 'stuck', release: aws.seeded.v1 };
      const seen: string[] = [];
      const dieWhilePolling = (detail: string): void => {
        seen.push(detail);
        if (detail.startsWith('waiting for steady state')) throw new Error('worker died while polling');
      };
      await expect(stuck.setRelease({ ...request, onProgress: dieWhilePolling })).rejects.toThrow(
        'while polling',
      );
      expect(seen).toEqual([
        expect.stringMatching(/^stuck-cell: UpdateService/),
        expect.stringMatching(/stuck-cell rollout IN_PROGRESS/),
      ]);
      expect(stuckCommands.count('UpdateService')).toBe(1);

      const polls: string[] = [];
      const err = await stuck
        .setRelease({ ...request, onProgress: (d) => polls.push(d) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ code: 'SteadyStateTimeout', retryable: false });
      expect((err as Error).message).toMatch(/stuck-cell .* gave up after 1 s/);
      expect(polls.filter((p) => p.startsWith('waiting for steady state'))).toHaveLength(10);
      expect(polls.every((p) => p.startsWith('waiting for steady state'))).toBe(true);
      expect(stuckCommands.count('UpdateService')).toBe(1);
    } finally {
      destroyAwsClients(stuckClients);
    }
  });
});

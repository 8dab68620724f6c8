import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsProviders, type AwsClients } from '../../providers/aws';
import { ProviderError, type RemediationProvider } from '../../providers/types';
import type { CommandLog } from './commandLog';
import { cellsOnMoto } from './ecsReader';
import type { MotoServer } from './motoServer';
import { startSeededMoto, type SeededMoto } from './seededMoto';
import type { Seeded } from './seed';

/** Remediation actions on moto's ECS and ELBv2, in the order an incident would take them. */
describe('AWS remediation (moto)', () => {
  let aws: SeededMoto | undefined;
  let moto: MotoServer;
  let seeded: Seeded;
  let clients: AwsClients;
  let commands: CommandLog;
  let remediation: RemediationProvider;

  beforeAll(async () => {
    aws = await startSeededMoto();
    ({ moto, seeded, clients, commands } = aws);
    remediation = aws.providers.remediation;
  });

  afterAll(async () => {
    await aws?.stop();
  });

  beforeEach(() => commands.clear());

  it('setRelease rolls back the canary cell, then the other; a repeat makes no second UpdateService', async () => {
    const progress: string[] = [];
    const stage1 = await remediation.setRelease({
      actionId: 'inc-1/rollback/stage-1',
      service: 'checkout',
      release: seeded.v1,
      targets: ['checkout-cell-a'],
      onProgress: (d) => progress.push(d),
    });
    expect(stage1).toMatchObject({
      applied: true,
      before: { release: { 'checkout-cell-a': seeded.v2 } },
      after: { release: { 'checkout-cell-a': seeded.v1 } },
    });
    expect(progress[0]).toMatch(/checkout-cell-a: UpdateService → checkout:1/);
    expect(commands.count('UpdateService')).toBe(1);
    let cells = await cellsOnMoto(moto);
    expect(cells['checkout-cell-a']!.taskDefinition).toBe(seeded.v1);
    expect(cells['checkout-cell-b']!.taskDefinition).toBe(seeded.v2);

    // The same action again (an activity retry after the result was lost): the first result, no call.
    const repeat = await remediation.setRelease({
      actionId: 'inc-1/rollback/stage-1',
      service: 'checkout',
      release: seeded.v1,
      targets: ['checkout-cell-a'],
    });
    expect(repeat).toMatchObject({ applied: false, before: stage1.before, after: stage1.after });
    expect(commands.count('UpdateService')).toBe(1);

    const stage2 = await remediation.setRelease({
      actionId: 'inc-1/rollback/stage-2',
      service: 'checkout',
      release: 'checkout:1', // family:revision is resolved to the ARN the service reports
      targets: ['checkout-cell-b'],
    });
    expect(stage2).toMatchObject({
      applied: true,
      before: { release: { 'checkout-cell-b': seeded.v2 } },
      after: { release: { 'checkout-cell-b': seeded.v1 } },
    });
    expect(commands.count('UpdateService')).toBe(2);
    cells = await cellsOnMoto(moto);
    expect(cells['checkout-cell-a']!.taskDefinition).toBe(seeded.v1);
    expect(cells['checkout-cell-b']!.taskDefinition).toBe(seeded.v1);

    // A different action asking for what is already there changes nothing and says so.
    const already = await remediation.setRelease({
      actionId: 'other',
      service: 'checkout',
      release: seeded.v1,
    });
    expect(already.applied).toBe(false);
    expect(commands.count('UpdateService')).toBe(2);
  });

  it('the deploy history shows Homeostat’s rollback as its own, with v2 before it', async () => {
    const history = await createAwsProviders(seeded.config, clients).deploys.deployments(
      'checkout',
      new Date(Date.now() - 3600_000),
    );
    expect(history).toEqual([
      expect.objectContaining({
        release: seeded.v1,
        previousRelease: seeded.v2,
        by: expect.stringMatching(/^homeostat:inc-1\/rollback\/stage-/),
      }),
    ]);
  });

  it('setWeights shifts the listener away from a cell, and its compensation restores the weights', async () => {
    const reroute = await remediation.setWeights({
      actionId: 'inc-1/reroute',
      service: 'checkout',
      weights: { 'checkout-a': 0, 'checkout-b': 100 },
    });
    expect(reroute).toMatchObject({
      applied: true,
      before: { weights: { 'checkout-a': 50, 'checkout-b': 50 } },
      after: { weights: { 'checkout-a': 0, 'checkout-b': 100 } },
    });
    expect(await listenerWeights()).toEqual({
      [seeded.targetGroups['checkout-a']]: 0,
      [seeded.targetGroups['checkout-b']]: 100,
    });
    expect((await remediation.describe('checkout')).weights).toEqual({ 'checkout-a': 0, 'checkout-b': 100 });

    const again = await remediation.setWeights({
      actionId: 'inc-1/reroute',
      service: 'checkout',
      weights: { 'checkout-a': 0, 'checkout-b': 100 },
    });
    expect(again).toMatchObject({ applied: false, before: reroute.before, after: reroute.after });
    expect(commands.count('ModifyListener')).toBe(1);

    const compensation = await remediation.setWeights({
      actionId: 'inc-1/reroute/compensate',
      service: 'checkout',
      weights: reroute.before.weights!,
    });
    expect(compensation).toMatchObject({
      applied: true,
      after: { weights: { 'checkout-a': 50, 'checkout-b': 50 } },
    });
    expect(await listenerWeights()).toEqual({
      [seeded.targetGroups['checkout-a']]: 50,
      [seeded.targetGroups['checkout-b']]: 50,
    });
    expect(commands.count('ModifyListener')).toBe(2);
  });

  it('scale sets every cell’s desired count within bounds, once', async () => {
    const up = await remediation.scale({ actionId: 'inc-1/scale', service: 'checkout', desiredCount: 4 });
    expect(up).toMatchObject({ applied: true, before: { desiredCount: 2 }, after: { desiredCount: 4 } });
    const cells = await cellsOnMoto(moto);
    expect(Object.values(cells).map((c) => c.desiredCount)).toEqual([4, 4]);
    await remediation.scale({ actionId: 'inc-1/scale', service: 'checkout', desiredCount: 4 });
    expect(commands.count('UpdateService')).toBe(2);

    const tooMany = remediation.scale({ actionId: 'inc-1/scale-2', service: 'checkout', desiredCount: 7 });
    await expect(tooMany).rejects.toMatchObject({ retryable: false, code: 'ScaleOutOfBounds' });
    await expect(tooMany).rejects.toThrow(/outside aws.services.checkout.scale \[1, 6\]/);
  });

  it('restart starts one new deployment per cell, and a repeat starts none', async () => {
    const before = await cellsOnMoto(moto);
    const restart = await remediation.restart({
      actionId: 'inc-1/restart',
      service: 'checkout',
      targets: ['checkout-cell-b'],
    });
    expect(restart.applied).toBe(true);
    const after = await cellsOnMoto(moto);
    expect(after['checkout-cell-b']!.deploymentId).not.toBe(before['checkout-cell-b']!.deploymentId);
    expect(after['checkout-cell-a']!.deploymentId).toBe(before['checkout-cell-a']!.deploymentId);

    const repeat = await remediation.restart({
      actionId: 'inc-1/restart',
      service: 'checkout',
      targets: ['checkout-cell-b'],
    });
    expect(repeat.applied).toBe(false);
    expect(commands.count('UpdateService')).toBe(1);
    expect((await cellsOnMoto(moto))['checkout-cell-b']!.deploymentId).toBe(
      after['checkout-cell-b']!.deploymentId,
    );
  });

  it('action ids that tags cannot hold are recognised again through their hash', async () => {
    const request = { actionId: 'incident#7|scale-down, stage 1 (ü)', service: 'checkout', desiredCount: 3 };
    const first = await remediation.scale(request);
    expect(first).toMatchObject({ applied: true, before: { desiredCount: 4 }, after: { desiredCount: 3 } });
    const repeat = await remediation.scale(request);
    expect(repeat).toMatchObject({ applied: false, before: { desiredCount: 4 } });
    expect(commands.count('UpdateService')).toBe(2);
  });

  it('clearCache and replayDeadLetters are not supported on AWS, and say so', async () => {
    const clear = remediation.clearCache({ actionId: 'x', service: 'checkout' });
    await expect(clear).rejects.toBeInstanceOf(ProviderError);
    await expect(clear).rejects.toMatchObject({ retryable: false, code: 'NotSupported' });
    await expect(remediation.replayDeadLetters({ actionId: 'y', service: 'checkout' })).rejects.toThrow(
      /replayDeadLetters is not supported on AWS/,
    );
  });

  async function listenerWeights(): Promise<Record<string, number>> {
    const elbv2 = new ElasticLoadBalancingV2Client({
      region: moto.region,
      endpoint: moto.endpoint,
      credentials: moto.credentials,
    });
    try {
      const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [seeded.listenerArn] }));
      const groups = out.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups!;
      return Object.fromEntries(groups.map((g) => [g.TargetGroupArn!, g.Weight!]));
    } finally {
      elbv2.destroy();
    }
  }
});

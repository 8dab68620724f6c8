import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsProviders } from '../../providers/aws';
import { ProviderError } from '../../providers/types';
import { cellsOnMoto } from './ecsReader';
import { useSeededMoto } from './seededMoto';

/** Remediation actions on moto's ECS and ELBv2, in the order an incident would take them. */
describe('AWS remediation (moto)', () => {
  const aws = useSeededMoto();

  it('setRelease rolls back the canary cell, then the other; a repeat makes no second UpdateService', async () => {
    const progress: string[] = [];
    const stage1 = await aws.remediation.setRelease({
      actionId: 'inc-1/rollback/stage-1',
      service: 'checkout',
      release: aws.seeded.v1,
      targets: ['checkout-cell-a'],
      onProgress: (d) => progress.push(d),
    });
    expect(stage1).toMatchObject({
      applied: true,
      before: { release: { 'checkout-cell-a': aws.seeded.v2 } },
      after: { release: { 'checkout-cell-a': aws.seeded.v1 } },
    });
    expect(progress[0]).toMatch(/checkout-cell-a: UpdateService → checkout:1/);
    expect(aws.commands.count('UpdateService')).toBe(1);
    let cells = await cellsOnMoto(aws.moto);
    expect(cells['checkout-cell-a']!.taskDefinition).toBe(aws.seeded.v1);
    expect(cells['checkout-cell-b']!.taskDefinition).toBe(aws.seeded.v2);

    // The same action again (an activity retry after the result was lost): the first result, no call.
    const repeat = await aws.remediation.setRelease({
      actionId: 'inc-1/rollback/stage-1',
      service: 'checkout',
      release: aws.seeded.v1,
      targets: ['checkout-cell-a'],
    });
    expect(repeat).toMatchObject({ applied: false, before: stage1.before, after: stage1.after });
    expect(aws.commands.count('UpdateService')).toBe(1);

    const stage2 = await aws.remediation.setRelease({
      actionId: 'inc-1/rollback/stage-2',
      service: 'checkout',
      release: 'checkout:1', // family:revision is resolved to the ARN the service reports
      targets: ['checkout-cell-b'],
    });
    expect(stage2).toMatchObject({
      applied: true,
      before: { release: { 'checkout-cell-b': aws.seeded.v2 } },
      after: { release: { 'checkout-cell-b': aws.seeded.v1 } },
    });
    expect(aws.commands.count('UpdateService')).toBe(2);
    cells = await cellsOnMoto(aws.moto);
    expect(cells['checkout-cell-a']!.taskDefinition).toBe(aws.seeded.v1);
    expect(cells['checkout-cell-b']!.taskDefinition).toBe(aws.seeded.v1);

    // A different action asking for what is already there changes nothing and says so.
    const already = await aws.remediation.setRelease({
      actionId: 'other',
      service: 'checkout',
      release: aws.seeded.v1,
    });
    expect(already.applied).toBe(false);
    expect(aws.commands.count('UpdateService')).toBe(2);
  });

  it('the deploy history shows Homeostat’s rollback as its own, with v2 before it', async () => {
    const history = await createAwsProviders(aws.seeded.config, aws.clients).deploys.deployments(
      'checkout',
      new Date(Date.now() - 3600_000),
    );
    expect(history).toEqual([
      expect.objectContaining({
        release: aws.seeded.v1,
        previousRelease: aws.seeded.v2,
        by: expect.stringMatching(/^homeostat:inc-1\/rollback\/stage-/),
      }),
    ]);
  });

  it('setWeights shifts the listener away from a cell, and its compensation restores the weights', async () => {
    const reroute = await aws.remediation.setWeights({
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
      [aws.seeded.targetGroups['checkout-a']]: 0,
      [aws.seeded.targetGroups['checkout-b']]: 100,
    });
    expect((await aws.remediation.describe('checkout')).weights).toEqual({
      'checkout-a': 0,
      'checkout-b': 100,
    });

    const again = await aws.remediation.setWeights({
      actionId: 'inc-1/reroute',
      service: 'checkout',
      weights: { 'checkout-a': 0, 'checkout-b': 100 },
    });
    expect(again).toMatchObject({ applied: false, before: reroute.before, after: reroute.after });
    expect(aws.commands.count('ModifyListener')).toBe(1);

    const compensation = await aws.remediation.setWeights({
      actionId: 'inc-1/reroute/compensate',
      service: 'checkout',
      weights: reroute.before.weights!,
    });
    expect(compensation).toMatchObject({
      applied: true,
      after: { weights: { 'checkout-a': 50, 'checkout-b': 50 } },
    });
    expect(await listenerWeights()).toEqual({
      [aws.seeded.targetGroups['checkout-a']]: 50,
      [aws.seeded.targetGroups['checkout-b']]: 50,
    });
    expect(aws.commands.count('ModifyListener')).toBe(2);
  });

  it('scale sets every cell’s desired count within bounds, once', async () => {
    const up = await aws.remediation.scale({ actionId: 'inc-1/scale', service: 'checkout', desiredCount: 4 });
    expect(up).toMatchObject({ applied: true, before: { desiredCount: 2 }, after: { desiredCount: 4 } });
    const cells = await cellsOnMoto(aws.moto);
    expect(Object.values(cells).map((c) => c.desiredCount)).toEqual([4, 4]);
    await aws.remediation.scale({ actionId: 'inc-1/scale', service: 'checkout', desiredCount: 4 });
    expect(aws.commands.count('UpdateService')).toBe(2);

    const tooMany = aws.remediation.scale({
      actionId: 'inc-1/scale-2',
      service: 'checkout',
      desiredCount: 7,
    });
    await expect(tooMany).rejects.toMatchObject({ retryable: false, code: 'ScaleOutOfBounds' });
    await expect(tooMany).rejects.toThrow(/outside aws.services.checkout.scale \[1, 6\]/);
  });

  it('restart starts one new deployment per cell, and a repeat starts none', async () => {
    const before = await cellsOnMoto(aws.moto);
    const restart = await aws.remediation.restart({
      actionId: 'inc-1/restart',
      service: 'checkout',
      targets: ['checkout-cell-b'],
    });
    expect(restart.applied).toBe(true);
    const after = await cellsOnMoto(aws.moto);
    expect(after['checkout-cell-b']!.deploymentId).not.toBe(before['checkout-cell-b']!.deploymentId);
    expect(after['checkout-cell-a']!.deploymentId).toBe(before['checkout-cell-a']!.deploymentId);

    const repeat = await aws.remediation.restart({
      actionId: 'inc-1/restart',
      service: 'checkout',
      targets: ['checkout-cell-b'],
    });
    expect(repeat.applied).toBe(false);
    expect(aws.commands.count('UpdateService')).toBe(1);
    expect((await cellsOnMoto(aws.moto))['checkout-cell-b']!.deploymentId).toBe(
      after['checkout-cell-b']!.deploymentId,
    );
  });

  it('action ids that tags cannot hold are recognised again through their hash', async () => {
    const request = { actionId: 'incident#7|scale-down, stage 1 (ü)', service: 'checkout', desiredCount: 3 };
    const first = await aws.remediation.scale(request);
    expect(first).toMatchObject({ applied: true, before: { desiredCount: 4 }, after: { desiredCount: 3 } });
    const repeat = await aws.remediation.scale(request);
    expect(repeat).toMatchObject({ applied: false, before: { desiredCount: 4 } });
    expect(aws.commands.count('UpdateService')).toBe(2);
  });

  it('clearCache and replayDeadLetters are not supported on AWS, and say so', async () => {
    const clear = aws.remediation.clearCache({ actionId: 'x', service: 'checkout' });
    await expect(clear).rejects.toBeInstanceOf(ProviderError);
    await expect(clear).rejects.toMatchObject({ retryable: false, code: 'NotSupported' });
    await expect(aws.remediation.replayDeadLetters({ actionId: 'y', service: 'checkout' })).rejects.toThrow(
      /replayDeadLetters is not supported on AWS/,
    );
  });

  async function listenerWeights(): Promise<Record<string, number>> {
    const elbv2 = new ElasticLoadBalancingV2Client({
      region: aws.moto.region,
      endpoint: aws.moto.endpoint,
      credentials: aws.moto.credentials,
    });
    try {
      const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [aws.seeded.listenerArn] }));
      const groups = out.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups!;
      return Object.fromEntries(groups.map((g) => [g.TargetGroupArn!, g.Weight!]));
    } finally {
      elbv2.destroy();
    }
  }
});

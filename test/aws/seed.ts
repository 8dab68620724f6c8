import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsConfigSchema, type AwsConfig } from '../../core/model/awsConfig';
import { createAwsClients, destroyAwsClients } from '../../providers/aws';
import { defaultSubnets } from './defaultSubnets';
import { SEEDED_DESIRED_COUNT, type MotoServer } from './motoServer';

/**
 * The scenario every AWS test starts from, built through the real APIs on moto: cluster `prod`, task
 * definition family `checkout` with v1 (good) and v2 (bad), two cells (`checkout-cell-a` →
 * `prod/checkout-a`, `checkout-cell-b` → `prod/checkout-b`) deployed from v1 to v2, an ALB whose
 * listener forwards 50/50 to one target group per cell, and half an hour of CloudWatch data in which
 * errors and latency jump when v2 arrives.
 */

export interface Seeded {
  config: AwsConfig;
  v1: string;
  v2: string;
  listenerArn: string;
  targetGroups: { 'checkout-a': string; 'checkout-b': string };
  /** Start of the seeded metric window (whole minute) and when v2 took over (15 minutes later). */
  metricsFrom: Date;
  v2At: Date;
  metricsTo: Date;
}

export const CELLS = [
  { name: 'checkout-cell-a', cluster: 'prod', service: 'checkout-a', pool: 'checkout-a' },
  { name: 'checkout-cell-b', cluster: 'prod', service: 'checkout-b', pool: 'checkout-b' },
] as const;

const MINUTES = 30;
const V2_AFTER_MINUTES = 15;

export interface SeedOptions {
  /** Deploy v2 to both cells right after creating them (default true); false leaves them on v1. */
  deployBad?: boolean;
  /** Put the half hour of per-minute CloudWatch data (default true); false leaves CloudWatch empty. */
  minuteMetrics?: boolean;
}

export async function seed(moto: MotoServer, options: SeedOptions = {}): Promise<Seeded> {
  const { deployBad = true, minuteMetrics = true } = options;
  const clients = createAwsClients(
    awsConfigSchema.parse({ region: moto.region, endpoint: moto.endpoint, maxAttempts: 1 }),
    { credentials: moto.credentials },
  );
  try {
    const { ecs, elbv2, cloudwatch } = clients;
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    const register = async (image: string): Promise<string> => {
      const out = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'checkout',
          containerDefinitions: [{ name: 'app', image, memory: 512, essential: true }],
        }),
      );
      return out.taskDefinition!.taskDefinitionArn!;
    };
    const v1 = await register('checkout:1.0');
    const v2 = await register('checkout:2.0');

    for (const cell of CELLS) {
      await ecs.send(
        new CreateServiceCommand({
          cluster: cell.cluster,
          serviceName: cell.service,
          taskDefinition: v1,
          desiredCount: SEEDED_DESIRED_COUNT,
        }),
      );
      // The CI deployment of the bad release.
      if (!deployBad) continue;
      await ecs.send(
        new UpdateServiceCommand({ cluster: cell.cluster, service: cell.service, taskDefinition: v2 }),
      );
    }

    const { vpcId, subnetIds } = await defaultSubnets(moto.endpoint, moto.region);
    const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'checkout-alb', Subnets: subnetIds }));
    const lbArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
    const targetGroup = async (name: string): Promise<string> => {
      const out = await elbv2.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          TargetType: 'ip',
        }),
      );
      return out.TargetGroups![0]!.TargetGroupArn!;
    };
    const targetGroups = {
      'checkout-a': await targetGroup('checkout-a'),
      'checkout-b': await targetGroup('checkout-b'),
    };
    const listener = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: targetGroups['checkout-a'], Weight: 50 },
                { TargetGroupArn: targetGroups['checkout-b'], Weight: 50 },
              ],
            },
          },
        ],
      }),
    );
    const listenerArn = listener.Listeners![0]!.ListenerArn!;

    const metricsTo = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const metricsFrom = new Date(metricsTo.getTime() - MINUTES * 60_000);
    const v2At = new Date(metricsFrom.getTime() + V2_AFTER_MINUTES * 60_000);
    if (minuteMetrics) {
      await putMetrics(cloudwatch, metricData({ metricsFrom, v2At, listenerArn, targetGroups }));
    }

    const config = awsConfigSchema.parse({
      region: moto.region,
      endpoint: moto.endpoint,
      maxAttempts: 2,
      // A fast steady-state wait for the AWS tests (the defaults: a poll every 15 s, 1,800 s at most);
      // test/slow/awsDefaultPoll.test.ts runs an action with the defaults against a slow rollout.
      steadyState: { pollSeconds: 0.1, timeoutSeconds: 10 },
      services: {
        checkout: {
          cells: CELLS,
          traffic: { listenerArn, targetGroups },
          scale: { min: 1, max: 6 },
          // moto computes no percentiles; on AWS this stays p95.
          metrics: {
            latencyStat: 'Maximum',
            custom: [
              {
                name: 'queue_depth',
                namespace: 'Checkout',
                metricName: 'PendingOrders',
                dimensions: { Queue: 'orders' },
                stat: 'Maximum',
              },
            ],
          },
          dependencies: ['payments'],
        },
      },
    });
    return { config, v1, v2, listenerArn, targetGroups, metricsFrom, v2At, metricsTo };
  } finally {
    destroyAwsClients(clients);
  }
}

/** One datum per minute; v1 serves 1000 requests/min at 0.5 % errors and 120 ms, v2 at 20 % and 900 ms. */
function metricData(s: {
  metricsFrom: Date;
  v2At: Date;
  listenerArn: string;
  targetGroups: Record<string, string>;
}): Array<{ namespace: string; data: MetricDatum[] }> {
  const lb = s.listenerArn.split(':listener/')[1]!.split('/').slice(0, 3).join('/');
  const alb: MetricDatum[] = [];
  const ecs: MetricDatum[] = [];
  const custom: MetricDatum[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const Timestamp = new Date(s.metricsFrom.getTime() + m * 60_000);
    const bad = Timestamp >= s.v2At;
    for (const arn of Object.values(s.targetGroups)) {
      const Dimensions = [
        { Name: 'LoadBalancer', Value: lb },
        { Name: 'TargetGroup', Value: arn.slice(arn.indexOf('targetgroup/')) },
      ];
      alb.push(
        { MetricName: 'RequestCount', Dimensions, Timestamp, Value: 1000, Unit: 'Count' },
        {
          MetricName: 'HTTPCode_Target_5XX_Count',
          Dimensions,
          Timestamp,
          Value: bad ? 200 : 5,
          Unit: 'Count',
        },
        { MetricName: 'TargetResponseTime', Dimensions, Timestamp, Value: bad ? 0.9 : 0.12, Unit: 'Seconds' },
      );
    }
    for (const cell of CELLS) {
      const Dimensions = [
        { Name: 'ClusterName', Value: cell.cluster },
        { Name: 'ServiceName', Value: cell.service },
      ];
      ecs.push(
        { MetricName: 'CPUUtilization', Dimensions, Timestamp, Value: bad ? 85 : 40, Unit: 'Percent' },
        { MetricName: 'MemoryUtilization', Dimensions, Timestamp, Value: bad ? 70 : 55, Unit: 'Percent' },
      );
    }
    custom.push({
      MetricName: 'PendingOrders',
      Dimensions: [{ Name: 'Queue', Value: 'orders' }],
      Timestamp,
      Value: bad ? 500 : 10,
      Unit: 'Count',
    });
  }
  return [
    { namespace: 'AWS/ApplicationELB', data: alb },
    { namespace: 'AWS/ECS', data: ecs },
    { namespace: 'Checkout', data: custom },
  ];
}

async function putMetrics(
  cloudwatch: ReturnType<typeof createAwsClients>['cloudwatch'],
  batches: Array<{ namespace: string; data: MetricDatum[] }>,
): Promise<void> {
  for (const { namespace, data } of batches) {
    // PutMetricData takes up to 1000 data per call.
    for (let i = 0; i < data.length; i += 1000) {
      await cloudwatch.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 1000) }),
      );
    }
  }
}

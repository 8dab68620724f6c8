import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { MotoServer } from './motoServer';
import { CELLS, type Seeded } from './seed';

/**
 * The world's side of an incident on moto. CloudWatch in moto holds only what someone puts there, so
 * this plays the ALB in front of the cells: every second it reads which task definition each cell runs
 * (DescribeServices) and puts that second's ALB metrics for the cell's target group — many 5xx and slow
 * answers while the cell runs the bad release, few and fast ones otherwise. Its clients are its own, so
 * the commands a test counts on the provider's clients are only the provider's.
 */

/** Requests per second and per cell; errors per second on a good and on a bad release. */
export const TRAFFIC = { requests: 100, goodErrors: 1, badErrors: 30, goodLatency: 0.12, badLatency: 0.9 };

export interface WorldSimulator {
  /** Seconds published so far. */
  ticks(): number;
  /** Stops the loop and waits for the tick in flight; safe to call twice. */
  stop(): Promise<void>;
}

type Pool = keyof Seeded['targetGroups'];

function clientsFor(moto: MotoServer): { ecs: ECSClient; cloudwatch: CloudWatchClient } {
  const common = {
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: moto.credentials,
    maxAttempts: 2,
  };
  return { ecs: new ECSClient(common), cloudwatch: new CloudWatchClient(common) };
}

/** One second of ALB metrics for one target group, at `at` (1-second storage resolution). */
export function albSecond(seeded: Seeded, pool: Pool, at: Date, bad: boolean): MetricDatum[] {
  const lb = seeded.listenerArn.split(':listener/')[1]!.split('/').slice(0, 3).join('/');
  const arn = seeded.targetGroups[pool];
  const Dimensions = [
    { Name: 'LoadBalancer', Value: lb },
    { Name: 'TargetGroup', Value: arn.slice(arn.indexOf('targetgroup/')) },
  ];
  const common = { Dimensions, Timestamp: at, StorageResolution: 1 };
  return [
    { ...common, MetricName: 'RequestCount', Value: TRAFFIC.requests, Unit: 'Count' },
    {
      ...common,
      MetricName: 'HTTPCode_Target_5XX_Count',
      Value: bad ? TRAFFIC.badErrors : TRAFFIC.goodErrors,
      Unit: 'Count',
    },
    {
      ...common,
      MetricName: 'TargetResponseTime',
      Value: bad ? TRAFFIC.badLatency : TRAFFIC.goodLatency,
      Unit: 'Seconds',
    },
  ];
}

async function put(cloudwatch: CloudWatchClient, data: MetricDatum[]): Promise<void> {
  for (let i = 0; i < data.length; i += 1000) {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'AWS/ApplicationELB', MetricData: data.slice(i, i + 1000) }),
    );
  }
}

/** Healthy traffic on every cell, one datum per second in [from, to): the time before the bad deploy. */
export async function putHealthyHistory(
  moto: MotoServer,
  seeded: Seeded,
  from: Date,
  to: Date,
): Promise<void> {
  const { ecs, cloudwatch } = clientsFor(moto);
  try {
    const data: MetricDatum[] = [];
    for (let t = Math.ceil(from.getTime() / 1000) * 1000; t < to.getTime(); t += 1000) {
      for (const cell of CELLS) data.push(...albSecond(seeded, cell.pool, new Date(t), false));
    }
    await put(cloudwatch, data);
  } finally {
    ecs.destroy();
    cloudwatch.destroy();
  }
}

/** Starts publishing one second of metrics per cell every second, from the cells' current release. */
export function startWorld(moto: MotoServer, seeded: Seeded, badRelease: string): WorldSimulator {
  const { ecs, cloudwatch } = clientsFor(moto);
  let stopped = false;
  let ticks = 0;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const tick = async (): Promise<void> => {
    // Stamped before the read: a datum never claims a time after the state it describes was read, so
    // nothing from before a rollback can appear after the rollback's completion.
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: 'prod', services: CELLS.map((c) => c.service) }),
    );
    const data = CELLS.flatMap((cell) => {
      const service = out.services?.find((s) => s.serviceName === cell.service);
      return albSecond(seeded, cell.pool, at, service?.taskDefinition === badRelease);
    });
    await put(cloudwatch, data);
    ticks++;
  };

  const loop = (async () => {
    const start = Date.now();
    for (let n = 0; !stopped; n++) {
      try {
        await tick();
      } catch (err) {
        if (!stopped) console.warn(`world simulator: tick failed: ${(err as Error).message}`);
      }
      // Next whole second after the start: one datum per second and cell, never two in one second.
      const next = start + (n + 1) * 1000;
      if (!stopped) await pause(Math.max(0, next - Date.now()));
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    ticks: () => ticks,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        wake?.();
        await loop;
        ecs.destroy();
        cloudwatch.destroy();
      })()),
  };
}

import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AwsServiceConfig } from '../../core/model/awsConfig';

/**
 * Which CloudWatch metrics feed which Homeostat series. Each raw query gets an id; combine.ts turns the
 * raw results into the series the activities see (ratios, unit changes, service-wide sums).
 */

export const AWS_METRIC_NAMES = [
  'cpu_utilization', // AWS/ECS CPUUtilization, percent, per cell
  'memory_utilization', // AWS/ECS MemoryUtilization, percent, per cell
  'error_ratio', // ALB HTTPCode_Target_5XX_Count / RequestCount, per pool and service-wide
  'request_rate', // ALB RequestCount per second, per pool and service-wide
  'latency_p95_ms', // ALB TargetResponseTime (latencyStat, p95 by default) × 1000, per pool
] as const;

export type RawKind = 'cpu' | 'memory' | 'errors' | 'requests' | 'latency' | 'custom';

export interface RawQuery {
  id: string;
  kind: RawKind;
  labels: { target?: string; pool?: string };
  /** For custom metrics: the series name. */
  name?: string;
  query: MetricDataQuery;
}

/** `…:listener/app/name/id/listenerId` → `app/name/id`, the LoadBalancer dimension. */
export function loadBalancerDimension(listenerArn: string): string {
  const path = listenerArn.split(':listener/')[1] ?? '';
  return path.split('/').slice(0, 3).join('/');
}

/** `…:targetgroup/name/id` → `targetgroup/name/id`, the TargetGroup dimension. */
export function targetGroupDimension(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.indexOf('targetgroup/'));
}

/** CloudWatch periods are 1, 5, 10, 30 or a multiple of 60 seconds. */
export function cloudWatchPeriod(stepSeconds: number): number {
  if (stepSeconds >= 60) return Math.round(stepSeconds / 60) * 60;
  return [1, 5, 10, 30].reduce((best, p) =>
    Math.abs(p - stepSeconds) < Math.abs(best - stepSeconds) ? p : best,
  );
}

export function buildQueries(svc: AwsServiceConfig, wanted: ReadonlySet<string>, period: number): RawQuery[] {
  const raw: RawQuery[] = [];
  const add = (
    kind: RawKind,
    labels: RawQuery['labels'],
    namespace: string,
    metricName: string,
    dims: Record<string, string>,
    stat: string,
    name?: string,
  ): void => {
    raw.push({
      id: `q${raw.length}`,
      kind,
      labels,
      name,
      query: {
        Id: `q${raw.length}`,
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: namespace,
            MetricName: metricName,
            Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: period,
          Stat: stat,
        },
      },
    });
  };

  for (const cell of svc.cells) {
    const dims = { ClusterName: cell.cluster, ServiceName: cell.service };
    if (wanted.has('cpu_utilization'))
      add('cpu', { target: cell.name }, 'AWS/ECS', 'CPUUtilization', dims, 'Average');
    if (wanted.has('memory_utilization')) {
      add('memory', { target: cell.name }, 'AWS/ECS', 'MemoryUtilization', dims, 'Average');
    }
  }
  if (svc.traffic) {
    const lb = loadBalancerDimension(svc.traffic.listenerArn);
    for (const [pool, arn] of Object.entries(svc.traffic.targetGroups)) {
      const dims = { LoadBalancer: lb, TargetGroup: targetGroupDimension(arn) };
      const ns = 'AWS/ApplicationELB';
      if (wanted.has('error_ratio')) add('errors', { pool }, ns, 'HTTPCode_Target_5XX_Count', dims, 'Sum');
      if (wanted.has('error_ratio') || wanted.has('request_rate')) {
        add('requests', { pool }, ns, 'RequestCount', dims, 'Sum');
      }
      if (wanted.has('latency_p95_ms')) {
        add('latency', { pool }, ns, 'TargetResponseTime', dims, svc.metrics.latencyStat);
      }
    }
  }
  for (const custom of svc.metrics.custom) {
    if (!wanted.has(custom.name)) continue;
    add('custom', {}, custom.namespace, custom.metricName, custom.dimensions, custom.stat, custom.name);
  }
  return raw;
}

import { GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { AwsConfig } from '../../core/model/awsConfig';
import type { MetricSeries, SeriesQuery, SignalProvider } from '../types';
import type { AwsClients } from './clients';
import { combineSeries, type RawResult } from './combine';
import { aws } from './errors';
import { buildQueries, cloudWatchPeriod } from './metricQueries';
import { serviceConfig } from './serviceConfig';

/** GetMetricData accepts at most 500 queries per call. */
const MAX_QUERIES = 500;

/**
 * Signals from CloudWatch GetMetricData: ECS CPU and memory per cell, ALB errors, requests and latency
 * per target group, and the custom metrics configured for the service. Per-release series are not
 * offered: CloudWatch has no release dimension; compare cells (`target` labels) instead.
 */
export function awsSignals(clients: AwsClients, config: AwsConfig): SignalProvider {
  return {
    async series(query: SeriesQuery): Promise<MetricSeries[]> {
      const svc = serviceConfig(config, query.service);
      const wanted = new Set(query.metrics);
      const period = cloudWatchPeriod(query.stepSeconds);
      const raw = buildQueries(svc, wanted, period);
      const results: RawResult[] = [];
      for (let i = 0; i < raw.length; i += MAX_QUERIES) {
        const batch = raw.slice(i, i + MAX_QUERIES);
        const data = await fetchAll(
          clients,
          batch.map((r) => r.query),
          query.from,
          query.to,
        );
        for (const r of batch) results.push({ raw: r, points: pointsOf(data.filter((d) => d.Id === r.id)) });
      }
      return combineSeries(results, wanted, period);
    },
  };
}

async function fetchAll(
  clients: AwsClients,
  queries: NonNullable<GetMetricDataCommand['input']['MetricDataQueries']>,
  from: Date,
  to: Date,
): Promise<MetricDataResult[]> {
  const all: MetricDataResult[] = [];
  let NextToken: string | undefined;
  do {
    const out = await aws('GetMetricData', () =>
      clients.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: from,
          EndTime: to,
          ScanBy: 'TimestampAscending',
          NextToken,
        }),
      ),
    );
    all.push(...(out.MetricDataResults ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
}

/** Pages of one query's results, merged and sorted oldest first. */
function pointsOf(pages: readonly MetricDataResult[]): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (const page of pages) {
    (page.Timestamps ?? []).forEach((ts, i) => {
      const v = page.Values?.[i];
      if (v !== undefined && v !== null && Number.isFinite(v)) points.push([ts.getTime(), v]);
    });
  }
  return points.sort((a, b) => a[0] - b[0]);
}

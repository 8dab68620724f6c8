import { DescribeAlarmHistoryCommand, type HistoryItemType } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from './clients';
import { aws } from './errors';

export interface AlarmHistoryEntry {
  /** ISO time. */
  at: string;
  alarm: string;
  type: string;
  summary: string;
}

/**
 * CloudWatch alarm history (state changes, config updates) for context in an incident: what fired and
 * when. Not part of SignalProvider; gather activities may call it directly when running on AWS.
 */
export async function alarmHistory(
  clients: AwsClients,
  opts: {
    alarmName?: string;
    alarmNamePrefix?: string;
    from: Date;
    to: Date;
    type?: HistoryItemType;
    max?: number;
  },
): Promise<AlarmHistoryEntry[]> {
  const entries: AlarmHistoryEntry[] = [];
  const max = opts.max ?? 100;
  let NextToken: string | undefined;
  do {
    const out = await aws('DescribeAlarmHistory', () =>
      clients.cloudwatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: opts.alarmName,
          StartDate: opts.from,
          EndDate: opts.to,
          HistoryItemType: opts.type,
          ScanBy: 'TimestampAscending',
          MaxRecords: Math.min(100, max - entries.length),
          NextToken,
        }),
      ),
    );
    for (const item of out.AlarmHistoryItems ?? []) {
      entries.push({
        at: item.Timestamp?.toISOString() ?? '',
        alarm: item.AlarmName ?? '',
        type: item.HistoryItemType ?? '',
        summary: item.HistorySummary ?? '',
      });
    }
    NextToken = out.NextToken;
  } while (NextToken && entries.length < max);
  return entries;
}

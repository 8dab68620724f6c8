import type { Client } from '@temporalio/client';
import { reportMarkdown } from '../../client/report/markdown';
import { readReportFacts } from '../../client/report/read';
import { aggregate, type ClosedIncident } from '../../client/stats/aggregate';
import { readClosedIncidents, recentClosedIncidents } from '../../client/stats/read';
import type { IncidentReport } from '../../core/model/incidentState';
import { WebhookMetrics } from '../../triggers/metrics';
import { waitFor } from '../fleet/fleetHarness';

/** The postmortem of a closed incident as `homeostat report` writes it, read back from Temporal. */
export async function postmortem(client: Client, workflowId: string): Promise<string> {
  return reportMarkdown(await readReportFacts(client, workflowId));
}

/** The table row of one key time, e.g. `| time to recover | 42s |`: its seconds, or null for n/a. */
export function keyTimeSeconds(markdown: string, name: string): number | null {
  const m = new RegExp(`^\\| time to ${name} \\| ([^|]+) \\|`, 'm').exec(markdown);
  if (!m) throw new Error(`no time to ${name} in the report`);
  const text = m[1]!.trim();
  if (text === 'n/a') return null;
  const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)!;
  return Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0);
}

/** This task queue's closed incidents once visibility lists them all with their outcome memos. */
async function listed(client: Client, taskQueue: string, count: number): Promise<ClosedIncident[]> {
  return await waitFor(`${count} closed incident(s) with memos in visibility`, async () => {
    const closed = await readClosedIncidents(client, { since: new Date(Date.now() - 3600_000), taskQueue });
    return closed.length >= count && closed.every((c) => c.memo) ? closed : undefined;
  });
}

/**
 * `homeostat stats` and /metrics computed from visibility agree with the incidents' own reports: the
 * outcome, duration, playbook and class of each, and every action with its final status.
 */
export async function expectFiguresMatchReports(
  client: Client,
  taskQueue: string,
  reports: IncidentReport[],
): Promise<void> {
  const closed = await listed(client, taskQueue, reports.length);
  const stats = aggregate(closed);
  expect(stats.incidents).toBe(reports.length);
  for (const r of reports) {
    const group = stats.perPlaybook.find((g) => g.name === (r.playbook ?? 'none'))!;
    expect(group.byOutcome[r.outcome]).toBeGreaterThanOrEqual(1);
    if (r.outcome === 'recovered' && reports.length === 1) {
      expect(stats.overall.mttrMedianSeconds).toBe(r.durationSeconds);
      expect(stats.overall.successRate).toBe(1);
    }
  }

  const metrics = new WebhookMetrics(undefined, Date.now, recentClosedIncidents(client, taskQueue));
  const text = await metrics.registry.metrics();
  const durations = new Map<string, { sum: number; count: number }>();
  for (const r of reports) {
    const labels = `failure_class="${r.failureClass ?? 'none'}",playbook="${r.playbook ?? 'none'}",outcome="${r.outcome}"`;
    const d = durations.get(labels) ?? { sum: 0, count: 0 };
    durations.set(labels, { sum: d.sum + r.durationSeconds, count: d.count + 1 });
  }
  for (const [labels, d] of durations) {
    expect(text).toContain(`homeostat_incident_duration_seconds_sum{${labels}} ${d.sum}`);
    expect(text).toContain(`homeostat_incident_duration_seconds_count{${labels}} ${d.count}`);
  }
  const actions = new Map<string, number>();
  for (const s of reports.flatMap((r) => r.steps)) {
    const key = `kind="${s.action.kind}",result="${s.status}"`;
    actions.set(key, (actions.get(key) ?? 0) + 1);
  }
  for (const [labels, count] of actions)
    expect(text).toContain(`homeostat_actions_total{${labels}} ${count}`);
  expect(text.match(/^homeostat_actions_total\{/gm) ?? []).toHaveLength(actions.size);
}

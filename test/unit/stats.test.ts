import { Registry } from 'prom-client';
import {
  aggregate,
  formatStats,
  median,
  percentile,
  type ClosedIncident,
} from '../../client/stats/aggregate';
import { registerOutcomeMetrics } from '../../client/stats/promMetrics';
import { closedIncidentsQuery, outcomeMemoOf } from '../../client/stats/read';
import { durationProblem, parseDuration, sinceDate } from '../../client/stats/since';

const closed = (
  id: string,
  outcome: 'recovered' | 'escalated' | 'aborted' | 'noise',
  durationSeconds: number,
  extra: { playbook?: string; failureClass?: string; actions?: Array<{ kind: string; status: string }> } = {},
): ClosedIncident => ({
  workflowId: `incident:${id}`,
  status: 'COMPLETED',
  memo: { outcome, durationSeconds, closedAt: '2026-12-01T10:00:00.000Z', ...extra },
});

const incidents: ClosedIncident[] = [
  closed('a', 'recovered', 100, {
    playbook: 'rollback',
    failureClass: 'bad-release',
    actions: [{ kind: 'set-release', status: 'done' }],
  }),
  closed('b', 'recovered', 300, {
    playbook: 'rollback',
    failureClass: 'bad-release',
    actions: [
      { kind: 'set-release', status: 'done' },
      { kind: 'set-release', status: 'done' },
    ],
  }),
  closed('c', 'recovered', 200, { playbook: 'rollback', failureClass: 'bad-release' }),
  closed('d', 'escalated', 900, {
    playbook: 'rollback',
    failureClass: 'bad-release',
    actions: [{ kind: 'set-release', status: 'compensated' }],
  }),
  closed('e', 'aborted', 50, { playbook: 'restart', failureClass: 'deadlock' }),
  closed('f', 'noise', 20),
  { workflowId: 'incident:g', status: 'TERMINATED' },
];

describe('incident statistics', () => {
  it('counts outcomes, success rate and MTTR per playbook and per failure class', () => {
    const stats = aggregate(incidents);
    expect(stats.incidents).toBe(6);
    expect(stats.withoutOutcome).toBe(1);
    expect(stats.overall.byOutcome).toMatchObject({ recovered: 3, escalated: 1, aborted: 1, noise: 1 });
    // Noise had nothing to fix: 3 recovered of 5 attempts.
    expect(stats.overall.successRate).toBeCloseTo(3 / 5);
    expect(stats.overall.mttrMedianSeconds).toBe(200);
    expect(stats.overall.mttrP90Seconds).toBe(300);

    const rollback = stats.perPlaybook.find((g) => g.name === 'rollback')!;
    expect(rollback).toMatchObject({ incidents: 4, successRate: 0.75, mttrMedianSeconds: 200 });
    expect(stats.perPlaybook.find((g) => g.name === 'restart')).toMatchObject({
      successRate: 0,
      mttrMedianSeconds: null,
    });
    expect(stats.perPlaybook.find((g) => g.name === 'none')).toMatchObject({
      incidents: 1,
      successRate: null,
    });
    expect(stats.perFailureClass.map((g) => g.name)).toEqual(['bad-release', 'deadlock', 'none']);
    expect(stats.actions).toEqual([
      { kind: 'set-release', result: 'compensated', count: 1 },
      { kind: 'set-release', result: 'done', count: 3 },
    ]);
    const text = formatStats(stats, 'the last 30d');
    expect(text).toMatch(
      /6 closed incident\(s\) in the last 30d: 3 recovered, 1 escalated, 1 aborted, 1 noise/,
    );
    expect(text).toMatch(/\+1 without an outcome/);
    expect(text).toMatch(/^rollback\s+4\s+3\s+1\s+0\s+0\s+75%\s+3m20s\s+5m00s$/m);
  });

  it('uses nearest-rank percentiles and the usual median', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 100)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 90)).toBeNull();
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([5, 1, 9].sort((a, b) => a - b))).toBe(5);
  });

  it('parses --since windows and names the fix for bad ones', () => {
    expect(parseDuration('30d')).toBe(30 * 86400);
    expect(parseDuration('12h')).toBe(12 * 3600);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('45s')).toBe(45);
    expect(sinceDate('1h', new Date('2026-12-01T10:00:00Z')).toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(() => parseDuration('30')).toThrow(/--since '30' is not a duration: use .* e\.g\. 30d, 12h, 90m/);
    expect(() => parseDuration('2 weeks')).toThrow(/not a duration/);
    expect(() => parseDuration('0d')).toThrow(/longer than zero/);
    expect(durationProblem('7d')).toBeUndefined();
    expect(durationProblem('7 days', '--since')).toMatch(/--since '7 days' is not a duration/);
  });

  it('lists only closed, final runs in the window, and reads only well-formed memos', () => {
    const q = closedIncidentsQuery({
      since: new Date('2026-11-01T00:00:00Z'),
      service: 'checkout',
      taskQueue: 'q"1',
    });
    expect(q).toBe(
      'WorkflowType="incidentWorkflow" AND ExecutionStatus!="Running" AND ExecutionStatus!="ContinuedAsNew" AND ' +
        'CloseTime>="2026-11-01T00:00:00.000Z" AND HomeostatService="checkout" AND TaskQueue="q1"',
    );
    expect(
      outcomeMemoOf({ outcome: { outcome: 'recovered', durationSeconds: 5, closedAt: 'x' } }),
    ).toBeDefined();
    expect(outcomeMemoOf({ outcome: { outcome: 'won', durationSeconds: 5, closedAt: 'x' } })).toBeUndefined();
    expect(outcomeMemoOf({ outcome: 'recovered' })).toBeUndefined();
    expect(outcomeMemoOf(undefined)).toBeUndefined();
  });

  it('exposes durations and actions on /metrics from one cached reading', async () => {
    const registry = new Registry();
    let reads = 0;
    let clock = 0;
    registerOutcomeMetrics(
      registry,
      async () => {
        reads += 1;
        return incidents;
      },
      () => clock,
    );
    const text = await registry.metrics();
    expect(reads).toBe(1); // the histogram and the counter share a reading
    expect(text).toMatch(
      /^homeostat_incident_duration_seconds_count\{failure_class="bad-release",playbook="rollback",outcome="recovered"\} 3$/m,
    );
    expect(text).toMatch(
      /^homeostat_incident_duration_seconds_sum\{failure_class="bad-release",playbook="rollback",outcome="recovered"\} 600$/m,
    );
    expect(text).toMatch(
      /^homeostat_incident_duration_seconds_bucket\{le="120",failure_class="bad-release",playbook="rollback",outcome="recovered"\} 1$/m,
    );
    expect(text).toMatch(/^homeostat_actions_total\{kind="set-release",result="done"\} 3$/m);
    await registry.metrics();
    expect(reads).toBe(1);
    clock += 15_000;
    await registry.metrics();
    expect(reads).toBe(2);
  });
});

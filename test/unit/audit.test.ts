import { formatAudit, mergeAudit } from '../../client/audit/merge';
import { auditQuery } from '../../client/audit/read';
import type { GovernorLogEntry } from '../../core/model/governor';
import type { StepRecord } from '../../core/model/incidentState';

const at = (m: number): string => new Date(Date.parse('2026-12-01T10:00:00Z') + m * 60_000).toISOString();

const step: StepRecord = {
  plan: 1,
  stage: 'canary',
  stepId: 'canary-rollback',
  description: 'roll the canary back',
  actionId: 'a/1',
  action: { kind: 'set-release', service: 'checkout', release: 'v1' },
  compensationKind: 'restore-release',
  status: 'compensated',
  startedAt: at(3),
  outcome: { actionId: 'a/1', applied: true, summary: 'checkout-1: v2 → v1', before: {}, after: {} },
};

const governorLog = [
  { at: at(1), kind: 'pause', by: 'bob', reason: 'deploy freeze' },
  { at: at(6), kind: 'resume', by: 'Alice', reason: 'freeze over' },
  // A kind this code does not know, with a field it does not know: printed as it comes.
  { at: at(8), kind: 'silence', by: 'carol', reason: 'maintenance', service: 'search', until: at(60) },
] as unknown as GovernorLogEntry[];

const incidents = [
  {
    workflowId: 'incident:checkout',
    service: 'checkout',
    steps: [step],
    approvals: [
      {
        at: at(2),
        kind: 'approve' as const,
        by: 'alice',
        reason: 'looks right',
        via: 'update' as const,
        fastPath: true,
      },
      { at: at(4), kind: 'abort' as const, by: 'alice', reason: 'wrong fix', via: 'signal' as const },
    ],
  },
];

describe('the audit', () => {
  it('merges the governor log, decisions and actions across incidents, oldest first', () => {
    const records = mergeAudit(governorLog, incidents);
    expect(records.map((r) => `${r.kind}:${r.by}`)).toEqual([
      'pause:bob',
      'approve:alice',
      'action:homeostat',
      'abort:alice',
      'resume:Alice',
      'silence:carol',
    ]);
    expect(records[2]).toMatchObject({
      incident: 'incident:checkout',
      service: 'checkout',
      detail: 'set-release canary-rollback → compensated (checkout-1: v2 → v1)',
    });
    expect(records[5]).toMatchObject({ service: 'search', detail: `until=${at(60)}` });
    const text = formatAudit(records);
    expect(text).toMatch(/approve {2}alice {2}incident:checkout {2}"looks right" {2}via update, fast path/);
    expect(text).toMatch(/silence {2}carol {2}service search {2}"maintenance"/);
  });

  it('filters by person (any case) and by time', () => {
    expect(mergeAudit(governorLog, incidents, { who: 'ALICE' }).map((r) => r.kind)).toEqual([
      'approve',
      'abort',
      'resume',
    ]);
    expect(mergeAudit(governorLog, incidents, { since: new Date(at(4)) }).map((r) => r.kind)).toEqual([
      'abort',
      'resume',
      'silence',
    ]);
    expect(mergeAudit(governorLog, incidents, { who: 'homeostat' }).map((r) => r.kind)).toEqual(['action']);
  });

  it('reads open incidents and the final runs of those closed in the window', () => {
    expect(auditQuery(new Date(at(0)))).toBe(
      'WorkflowType="incidentWorkflow" AND ExecutionStatus!="ContinuedAsNew" AND ' +
        '(ExecutionStatus="Running" OR CloseTime>="2026-12-01T10:00:00.000Z")',
    );
  });
});

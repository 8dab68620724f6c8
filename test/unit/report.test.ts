import type { ReportFacts } from '../../client/report/facts';
import { flappingAlerts, followUps } from '../../client/report/followUps';
import { keyTimes } from '../../client/report/keyTimes';
import { reportMarkdown } from '../../client/report/markdown';
import type { Diagnosis } from '../../core/model/diagnosis';
import type { StepRecord } from '../../core/model/incidentState';

const at = (s: number): string => new Date(Date.parse('2026-12-01T10:00:00Z') + s * 1000).toISOString();

const diagnosis: Diagnosis = {
  failureClass: 'bad-release',
  rootService: 'checkout',
  confidence: 'high',
  score: 0.91,
  evidence: ['error_ratio on release v2 is 0.40 against 0.01 on v1'],
  summary: 'release v2 fails',
  findings: [],
  suspectRelease: 'v2',
  goodRelease: 'v1',
  suspectDeployedBy: 'ci',
  affectedTargets: ['checkout-1'],
  baselines: {},
  healthy: false,
};

const step = (id: string, status: StepRecord['status'], startedAt: string): StepRecord => ({
  plan: 1,
  stage: 'canary',
  stepId: id,
  description: `roll ${id} back to v1`,
  actionId: `a/${id}`,
  action: { kind: 'set-release', service: 'checkout', release: 'v1' },
  compensationKind: 'restore-release',
  status,
  startedAt,
  outcome: { actionId: `a/${id}`, applied: true, summary: 'checkout-1: v2 → v1', before: {}, after: {} },
  verification: {
    healthy: status !== 'failed',
    metric: 'error_ratio',
    observed: 0.002,
    bound: '< 0.05',
    samples: 6,
    fastPath: false,
    detail: 'error_ratio 0.002 < 0.05',
  },
  ...(status === 'compensated'
    ? { compensation: { actionId: `u/${id}`, summaries: ['checkout-1: v1 → v2'] } }
    : {}),
});

function facts(over: Partial<ReportFacts> = {}): ReportFacts {
  return {
    workflowId: 'incident:checkout',
    key: 'checkout',
    service: 'checkout',
    title: 'HighErrorRate on checkout',
    severity: 'critical',
    open: false,
    outcome: 'recovered',
    conclusion: 'rollback worked',
    failureClass: 'bad-release',
    playbook: 'rollback-release',
    openedAt: at(0),
    closedAt: at(300),
    steps: [step('canary-rollback', 'done', at(40))],
    approvals: [],
    timeline: [
      { at: at(0), phase: 'triage', event: 'incident opened: HighErrorRate on checkout' },
      { at: at(30), phase: 'diagnosing', event: 'diagnosis: bad-release — release v2 fails' },
      { at: at(40), phase: 'remediating', event: 'canary: roll canary-rollback back to v1' },
      { at: at(55), phase: 'remediating', event: 'canary-rollback: checkout-1: v2 → v1; baking 30s' },
      { at: at(300), phase: 'recovered', event: 'rollback worked' },
    ],
    diagnosis,
    alerts: [
      {
        fingerprint: 'fp1',
        name: 'HighErrorRate',
        source: 'alertmanager',
        status: 'firing',
        startsAt: at(-90),
        receivedAt: at(0),
      },
    ],
    runs: 1,
    ...over,
  };
}

describe('the postmortem draft', () => {
  it('states detect, diagnose, mitigate and recover from the alert, the timeline and the close', () => {
    const times = Object.fromEntries(keyTimes(facts()).map((k) => [k.name, k.seconds]));
    expect(times).toEqual({ detect: 90, diagnose: 30, mitigate: 55, recover: 300 });
    const escalated = Object.fromEntries(
      keyTimes(facts({ outcome: 'escalated', steps: [], alerts: [] })).map((k) => [k.name, k]),
    );
    expect(escalated.detect!.seconds).toBeNull();
    expect(escalated.mitigate!.seconds).toBeNull();
    expect(escalated.recover!.note).toMatch(/did not recover \(escalated\)/);
  });

  it('writes every section of a recovered incident', () => {
    const md = reportMarkdown(facts());
    expect(md).toMatch(/^# Postmortem draft: HighErrorRate on checkout$/m);
    expect(md).toMatch(/Outcome: \*\*recovered\*\* — rollback worked/);
    expect(md).toMatch(/Began: 2026-12-01T09:58:30.000Z \(alert HighErrorRate from alertmanager\)/);
    expect(md).toMatch(/\| time to detect \| 1m30s \|/);
    expect(md).toMatch(/\| time to recover \| 5m00s \|/);
    expect(md).toMatch(/Confidence: \*\*high\*\* \(score 0.91 of 1\)/);
    expect(md).toMatch(/- error_ratio on release v2 is 0.40/);
    expect(md).toMatch(
      /\| T\+40s \| canary \| canary-rollback \| set-release on checkout: .* \| done: checkout-1: v2 → v1 \| healthy: error_ratio 0.002/,
    );
    expect(md).toMatch(/No human decision was recorded/);
    expect(md).toMatch(/Nothing was undone/);
    expect(md).toMatch(/- \[ \] Find out what was wrong with release v2 \(deployed by ci\)/);
    expect(md).not.toMatch(/Draft of an open incident/);
    expect(md).toMatch(
      /with high confidence \(score 0.91\): release v2 fails\. It ran playbook `rollback-release` \(1 step\(s\)\)\./,
    );
  });

  it('names who aborted and why, and what was undone', () => {
    const md = reportMarkdown(
      facts({
        outcome: 'aborted',
        conclusion: 'aborted by alice: wrong fix',
        closedAt: at(120),
        steps: [
          step('canary-rollback', 'compensated', at(40)),
          step('fleet-rollback', 'compensation-failed', at(80)),
        ],
        approvals: [{ at: at(90), kind: 'abort', by: 'alice', reason: 'wrong fix', via: 'update' }],
      }),
    );
    expect(md).toMatch(/\*\*abort\*\* by \*\*alice\*\* via update — "wrong fix"/);
    expect(md).toMatch(/canary-rollback \(set-release\) undone: checkout-1: v1 → v2/);
    expect(md).toMatch(/fleet-rollback \(set-release\): \*\*undo failed\*\*/);
    expect(md).toMatch(/alice aborted \("wrong fix"\): decide whether rollback-release was the wrong fix/);
    expect(md).toMatch(/Undoing fleet-rollback .* failed: check by hand/);
    expect(md).toMatch(/\| time to recover \| n\/a \| did not recover \(aborted\) \|/);
  });

  it('suggests what a human must check after an escalation, a timeout, a flapping alert or a failing playbook', () => {
    const escalated = facts({
      outcome: 'escalated',
      conclusion: 'no approval within 3s',
      steps: [],
      timeline: [{ at: at(5), phase: 'awaiting-approval', event: 'waiting for approval' }],
      diagnosis: { ...diagnosis, confidence: 'low', failureClass: 'dependency-outage' },
      alerts: [
        {
          fingerprint: 'fp1',
          name: 'HighErrorRate',
          source: 'generic',
          status: 'firing',
          startsAt: at(-60),
          receivedAt: at(0),
        },
        {
          fingerprint: 'fp1',
          name: 'HighErrorRate',
          source: 'generic',
          status: 'resolved',
          startsAt: at(-60),
          receivedAt: at(60),
        },
        {
          fingerprint: 'fp1',
          name: 'HighErrorRate',
          source: 'generic',
          status: 'firing',
          startsAt: at(70),
          receivedAt: at(71),
        },
      ],
      plan: {
        playbook: 'reroute',
        failureClass: 'dependency-outage',
        requiresApproval: true,
        approvalReason: 'reroutes traffic',
        stages: [],
        expectedReleases: {},
        recovery: { metric: 'error_ratio', bakeSeconds: 30 } as never,
        trackRecord: { service: 'checkout', playbook: 'reroute', recovered: 1, failed: 2, days: 30 },
      },
    });
    expect(flappingAlerts(escalated)).toEqual([{ name: 'HighErrorRate', firings: 2 }]);
    const todo = followUps(escalated).join('\n');
    expect(todo).toMatch(/A human must check checkout: no approval within 3s/);
    expect(todo).toMatch(/Nobody approved within the approval window/);
    expect(todo).toMatch(/dependency-outage, low confidence\) was uncertain/);
    expect(todo).toMatch(/Playbook reroute has failed 2 of 3 recent runs on checkout/);
    expect(todo).toMatch(/Alert HighErrorRate fired 2 separate times .*flapping/);
    expect(followUps(facts()).join('\n')).not.toMatch(/flapping|A human must check/);
  });

  it('marks the draft of an open incident', () => {
    const md = reportMarkdown(
      facts({
        open: true,
        phase: 'awaiting-approval',
        outcome: undefined,
        conclusion: undefined,
        closedAt: undefined,
      }),
    );
    expect(md).toMatch(/\*\*Draft of an open incident\*\* \(phase `awaiting-approval`\)/);
    expect(md).toMatch(/Ended: not yet/);
    expect(md).toMatch(/\| time to recover \| n\/a \| still open \|/);
    expect(md).toMatch(/report it again once it closes/);
  });
});

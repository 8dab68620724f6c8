import type { Diagnosis } from '../../core/model/diagnosis';
import { FAILURE_CLASSES, type FailureClass } from '../../core/model/incidentState';
import type { ResolvedPlan } from '../../core/model/plan';
import { loadCatalog } from '../../core/playbooks/catalog';
import { resolvePlan } from '../../core/playbooks/resolve';
import { targets } from './evidence';

/**
 * Every failure class meets its playbook in the default catalog, and every playbook there is reached by
 * a class: the plan each resolves to for checkout with two affected targets out of three, as actions.
 */
const catalog = loadCatalog();
const diagnosis = (failureClass: FailureClass): Diagnosis => ({
  failureClass,
  rootService: 'checkout',
  confidence: 'medium',
  summary: failureClass,
  findings: [],
  affectedTargets: ['checkout-0', 'checkout-1'],
  baselines: { error_ratio: 0.01, queue_depth: 10, latency_p95_ms: 120 },
  healthy: false,
  ...(failureClass === 'bad-release' ? { suspectRelease: 'v2', goodRelease: 'v1' } : {}),
});
const topology = {
  service: 'checkout',
  targets: targets('v2', 3),
  weights: { primary: 100, standby: 0 },
  desiredCount: 3,
  dependencies: [],
};

/** The plan as `playbook: stage.step: action kind`, the part a catalog change would show in. */
function outline(failureClass: FailureClass): string[] {
  const plan = resolvePlan(catalog, diagnosis(failureClass), topology) as ResolvedPlan;
  return plan.stages.flatMap((stage) =>
    stage.steps.map((step) => `${plan.playbook}: ${step.id}: ${step.action.kind}`),
  );
}

describe('the default catalog, class by class', () => {
  it.each([
    [
      'bad-release',
      [
        'rollback-bad-release: canary.rollback-canary: set-release',
        'rollback-bad-release: fleet.rollback-rest: set-release',
      ],
    ],
    [
      'memory-leak',
      [
        'restart-leaking-targets: canary.restart-canary: restart',
        'restart-leaking-targets: fleet.restart-rest: restart',
      ],
    ],
    [
      'deadlock',
      [
        'restart-stuck-targets: canary.restart-canary: restart',
        'restart-stuck-targets: fleet.restart-rest: restart',
      ],
    ],
    ['dependency-outage', ['reroute-around-dependency: reroute.reroute-to-standby: set-weights']],
    ['queue-backlog', ['scale-out-backlog: scale.scale-out: scale']],
    ['failed-jobs', ['replay-failed-jobs: replay.replay: replay-dead-letters']],
    ['corrupted-cache', ['clear-corrupted-cache: clear.clear-cache: clear-cache']],
    ['network-timeout', ['reroute-around-network-fault: reroute.reroute-to-standby: set-weights']],
    ['resource-exhaustion', ['scale-out-saturated: scale.scale-out: scale']],
  ] as const)('%s resolves to its playbook', (failureClass, steps) => {
    expect(outline(failureClass)).toEqual(steps);
  });

  it('covers every class but unknown, with one playbook each, and escalates unknown', () => {
    const planned = FAILURE_CLASSES.filter((c) => c !== 'unknown');
    expect(catalog.playbooks.map((p) => p.failureClass).sort()).toEqual([...planned].sort());
    expect(resolvePlan(catalog, diagnosis('unknown'), topology)).toMatchObject({ playbook: null });
  });

  it('reroutes around a network fault only with a human, and scales a saturated service out unattended', () => {
    const reroute = resolvePlan(catalog, diagnosis('network-timeout'), topology) as ResolvedPlan;
    expect(reroute).toMatchObject({
      requiresApproval: true,
      approvalReason: expect.stringMatching(/blast radius/),
    });
    expect(reroute.stages[0]!.steps[0]!.action).toEqual({
      kind: 'set-weights',
      service: 'checkout',
      weights: { primary: 0, standby: 100 },
    });

    const scale = resolvePlan(catalog, diagnosis('resource-exhaustion'), topology) as ResolvedPlan;
    expect(scale.requiresApproval).toBe(false);
    expect(scale.stages[0]!.steps[0]!.action).toEqual({
      kind: 'scale',
      service: 'checkout',
      desiredCount: 6,
    });
    expect(scale.stages[0]!.steps[0]!.verify).toMatchObject({ metric: 'error_ratio', max: 0.05 });
    // Recovered when p95 latency is back within 3× its diagnosed baseline (120 ms), at least 250 ms.
    expect(scale.recovery).toMatchObject({ metric: 'latency_p95_ms', max: 360 });
  });
});

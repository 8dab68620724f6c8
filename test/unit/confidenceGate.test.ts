import { loadConfig } from '../../core/model/config';
import type { Diagnosis } from '../../core/model/diagnosis';
import type { ResolvedPlan } from '../../core/model/plan';
import { loadCatalog } from '../../core/playbooks/catalog';
import { catalogSchema } from '../../core/playbooks/schema';
import { applyConfidenceGate, resolvePlan } from '../../core/playbooks/resolve';
import { targets } from './evidence';

/** The confidence gate and the restoreAfter option, as pure functions over the default catalog. */
const diagnosis = (confidence: Diagnosis['confidence'], extra: Record<string, unknown> = {}): Diagnosis =>
  ({
    failureClass: 'deadlock',
    rootService: 'checkout',
    confidence,
    summary: '1 of 3 targets of checkout do not answer health checks: checkout-0',
    findings: [],
    affectedTargets: ['checkout-0'],
    baselines: { error_ratio: 0.01, queue_depth: 4 },
    healthy: false,
    ...extra,
  }) as Diagnosis;
const topology = {
  service: 'checkout',
  targets: targets('v1', 3),
  weights: { primary: 100, standby: 0 },
  desiredCount: 3,
  dependencies: [],
};
const plan = (d: Diagnosis): ResolvedPlan => resolvePlan(loadCatalog(), d, topology) as ResolvedPlan;

describe('confidence gate', () => {
  it('lets a diagnosis at or above the minimum run as the catalog says', () => {
    for (const [confidence, min] of [
      ['medium', 'medium'],
      ['high', 'medium'],
      ['low', 'low'],
      ['high', 'high'],
    ] as const) {
      const p = plan(diagnosis(confidence));
      expect(applyConfidenceGate(p, diagnosis(confidence), min)).toBe(p);
    }
  });

  it('asks a human below the minimum, quoting the diagnosis, its score and evidence', () => {
    const d = diagnosis('low', {
      score: 0.42,
      evidence: [
        'checkout-0 fails health checks since 12:00:03.',
        'error_ratio of checkout: 0.2 against 0.01.',
      ],
    });
    const gated = applyConfidenceGate(plan(d), d, 'medium');
    expect(gated.requiresApproval).toBe(true);
    expect(gated.approvalReason).toBe(
      'diagnosis confidence low, score 0.42 is below the minimum medium: deadlock — ' +
        '"1 of 3 targets of checkout do not answer health checks: checkout-0"; evidence: ' +
        'checkout-0 fails health checks since 12:00:03. error_ratio of checkout: 0.2 against 0.01.; a human decides',
    );
    // The plan itself is unchanged: the same steps, once approved.
    expect(gated.stages).toEqual(plan(d).stages);
  });

  it('keeps the reason of a plan that already needs approval and adds the doubt', () => {
    const d = { ...diagnosis('medium'), failureClass: 'dependency-outage' as const };
    const p = resolvePlan(loadCatalog(), d, topology) as ResolvedPlan;
    const gated = applyConfidenceGate(p, d, 'high');
    expect(gated.approvalReason).toMatch(
      /^moving all traffic between pools \(cells\) has a wide blast radius; also diagnosis confidence medium is below the minimum high/,
    );
  });

  it('refuses an unknown level by name', () => {
    const d = diagnosis('low');
    expect(() => applyConfidenceGate(plan(d), d, 'sure' as never)).toThrow(
      /minConfidence must be one of low, medium, high/,
    );
  });

  it('reads HOMEOSTAT_MIN_CONFIDENCE, absent by default (medium applies), and names it when wrong', () => {
    expect(loadConfig({}).incidents.minConfidence).toBeUndefined();
    expect(loadConfig({ HOMEOSTAT_MIN_CONFIDENCE: 'high' }).incidents.minConfidence).toBe('high');
    expect(() => loadConfig({ HOMEOSTAT_MIN_CONFIDENCE: 'sure' })).toThrow(
      /HOMEOSTAT_MIN_CONFIDENCE \(incidents\.minConfidence\)/,
    );
  });
});

describe('restoreAfter', () => {
  it('resolves scale-out-backlog with an absolute settle bound from the diagnosed baseline', () => {
    const d = { ...diagnosis('medium'), failureClass: 'queue-backlog' as const };
    const step = plan(d).stages[0]!.steps[0]!;
    expect(step).toMatchObject({ compensation: 'restore-count', action: { kind: 'scale', desiredCount: 6 } });
    // max(floor 10, 2 × baseline 4)
    expect(step.restoreAfter).toEqual({
      metric: 'queue_depth',
      max: 10,
      settleSeconds: 10,
      maxWaitSeconds: 900,
    });
    const busy = { ...d, baselines: { queue_depth: 30 } };
    expect(plan(busy).stages[0]!.steps[0]!.restoreAfter!.max).toBe(60);
  });

  it('is refused on a step without a compensation, and without a bound, naming the field', () => {
    const catalog = loadCatalog();
    const bad = structuredClone(catalog) as {
      playbooks: Array<{ stages: Array<{ steps: Array<Record<string, unknown>> }> }>;
    };
    const step = bad.playbooks.find((p) => JSON.stringify(p).includes('scale-out'))!.stages[0]!.steps[0]!;
    const noUndo = catalogSchema.safeParse(
      JSON.parse(JSON.stringify(bad).replace('"id":"scale-out"', '"id":"scale-out","compensation":"none"')),
    );
    expect(noUndo.success).toBe(false);
    expect(JSON.stringify(noUndo.error?.issues)).toMatch(
      /restoreAfter.*needs a compensation|needs a compensation/,
    );
    step.restoreAfter = { metric: 'queue_depth', settleSeconds: 5, maxWaitSeconds: 60 };
    const noBound = catalogSchema.safeParse(bad);
    expect(noBound.success).toBe(false);
    expect(JSON.stringify(noBound.error?.issues)).toMatch(/give max or maxFactor/);
  });
});

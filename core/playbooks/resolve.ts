import type { Diagnosis } from '../model/diagnosis';
import type {
  ActionSpec,
  CompensationKind,
  NoPlan,
  PlannedStage,
  ResolvedPlan,
  RestoreAfter,
  VerifyCheck,
} from '../model/plan';
import type { Topology } from '../model/signals';
import type { Catalog, Playbook, PlaybookAction, PlaybookRestoreAfter, PlaybookVerify } from './schema';

/**
 * Turns a diagnosis and the current topology into a concrete plan: which playbook, which targets per
 * stage, which release, which absolute thresholds. Pure, so it is tested without a server; the result
 * travels in the workflow's history.
 */
export function resolvePlan(
  catalog: Catalog,
  diagnosis: Diagnosis,
  topology: Topology,
): ResolvedPlan | NoPlan {
  if (diagnosis.failureClass === 'unknown') {
    return { playbook: null, reason: `no known failure pattern: ${diagnosis.summary}` };
  }
  const playbook = catalog.playbooks.find((p) => p.failureClass === diagnosis.failureClass);
  if (!playbook)
    return { playbook: null, reason: `the catalog has no playbook for ${diagnosis.failureClass}` };
  if (diagnosis.failureClass === 'bad-release' && !diagnosis.goodRelease) {
    return { playbook: null, reason: `no earlier release of ${topology.service} is known to roll back to` };
  }

  const allTargets = topology.targets.map((t) => t.id);
  const affected = diagnosis.affectedTargets.filter((t) => allTargets.includes(t));
  const pool = affected.length > 0 ? affected : allTargets;
  const canary = pool.slice(0, playbook.canarySize);
  const rest = pool.slice(playbook.canarySize);

  const stages: PlannedStage[] = [];
  for (const stage of playbook.stages) {
    const targets =
      stage.targets === 'canary'
        ? canary
        : stage.targets === 'rest'
          ? rest
          : stage.targets === 'all'
            ? allTargets
            : undefined;
    if (targets && targets.length === 0) continue; // e.g. one affected target: nothing left after the canary
    stages.push({
      name: stage.name,
      steps: stage.steps.map((step) => ({
        id: `${stage.name}.${step.id}`,
        description: describe(step.action, targets, diagnosis),
        action: concreteAction(step.action, diagnosis, topology, targets),
        verify: concreteVerify(step.verify, diagnosis),
        compensation: step.compensation ?? defaultCompensation(step.action),
        ...(step.restoreAfter ? { restoreAfter: concreteRestore(step.restoreAfter, diagnosis) } : {}),
      })),
    });
  }

  return {
    playbook: playbook.name,
    failureClass: playbook.failureClass,
    requiresApproval: playbook.requiresApproval,
    approvalReason: approvalReason(playbook),
    stages,
    expectedReleases: Object.fromEntries(topology.targets.map((t) => [t.id, t.release])),
    recovery: concreteVerify(playbook.recovery, diagnosis),
  };
}

function approvalReason(p: Playbook): string {
  if (p.requiresApproval) return p.approvalReason ?? `playbook ${p.name} requires a human's approval`;
  return `playbook ${p.name} is approved to run unattended`;
}

function concreteAction(
  a: PlaybookAction,
  d: Diagnosis,
  topology: Topology,
  targets: string[] | undefined,
): ActionSpec {
  const service = d.rootService;
  const scoped = targets ? { targets } : {};
  switch (a.do) {
    case 'rollback':
      return { kind: 'set-release', service, release: d.goodRelease!, ...scoped };
    case 'restart':
      return { kind: 'restart', service, ...scoped };
    case 'reroute':
      return { kind: 'set-weights', service, weights: a.weights };
    case 'scale':
      return {
        kind: 'scale',
        service,
        desiredCount: Math.min(
          a.max,
          Math.max(topology.desiredCount + 1, Math.ceil(topology.desiredCount * a.factor)),
        ),
      };
    case 'clear-cache':
      return { kind: 'clear-cache', service, ...scoped };
    case 'replay-dead-letters':
      return { kind: 'replay-dead-letters', service, ...(a.max ? { max: a.max } : {}) };
  }
}

function concreteVerify(v: PlaybookVerify, d: Diagnosis): VerifyCheck {
  const check: VerifyCheck = {
    metric: v.metric,
    bakeSeconds: v.bakeSeconds,
    windowSeconds: v.windowSeconds,
    scope: v.scope,
  };
  if (v.min !== undefined) check.min = v.min;
  if (v.max !== undefined) check.max = v.max;
  if (v.maxFactor !== undefined) {
    const baseline = d.baselines[v.metric];
    const relative = (Number.isFinite(baseline) ? baseline! : 0) * v.maxFactor;
    check.max = Math.max(v.floor, relative, check.max ?? 0);
  }
  return check;
}

/** The settle bound made absolute, like a verify check's: the larger of max, floor and factor × baseline. */
function concreteRestore(r: PlaybookRestoreAfter, d: Diagnosis): RestoreAfter {
  const baseline = d.baselines[r.metric];
  const relative =
    r.maxFactor !== undefined ? (Number.isFinite(baseline) ? baseline! : 0) * r.maxFactor : -Infinity;
  return {
    metric: r.metric,
    max: Math.max(r.floor, relative, r.max ?? -Infinity),
    settleSeconds: r.settleSeconds,
    maxWaitSeconds: r.maxWaitSeconds,
  };
}

function defaultCompensation(a: PlaybookAction): CompensationKind {
  switch (a.do) {
    case 'rollback':
      return 'restore-release';
    case 'reroute':
      return 'restore-weights';
    case 'scale':
      return 'restore-count';
    default:
      return 'none';
  }
}

function describe(a: PlaybookAction, targets: string[] | undefined, d: Diagnosis): string {
  const on = targets ? ` on ${targets.join(', ')}` : ` on ${d.rootService}`;
  switch (a.do) {
    case 'rollback':
      return `roll back ${d.suspectRelease ?? 'the suspect release'} → ${d.goodRelease}${on}`;
    case 'restart':
      return `restart${on}`;
    case 'reroute':
      return `shift ${d.rootService} traffic to ${Object.entries(a.weights)
        .map(([p, w]) => `${p} ${w}%`)
        .join(', ')}`;
    case 'scale':
      return `scale ${d.rootService} out (×${a.factor}, at most ${a.max})`;
    case 'clear-cache':
      return `clear the cache${on}`;
    case 'replay-dead-letters':
      return `replay dead letters of ${d.rootService}`;
  }
}

/** Confidence levels, least sure first (as CONFIDENCE_LEVELS in model/config.ts, kept free of node imports). */
const LEVELS = ['low', 'medium', 'high'] as const;
/** Evidence sentences quoted in an approval reason; the rest stay in the diagnosis. */
const QUOTED_EVIDENCE = 3;

/**
 * The confidence gate: a plan made from a diagnosis less sure than `min` asks a human first, and the
 * reason quotes the diagnosis and its evidence so the approver judges what Homeostat judged. A plan
 * that already needs approval keeps its reason and gains the doubt. `score` and `evidence` are read when
 * the diagnosis carries them (absent in diagnoses made before they existed).
 */
export function applyConfidenceGate(
  plan: ResolvedPlan,
  diagnosis: Diagnosis,
  min: (typeof LEVELS)[number],
): ResolvedPlan {
  if (!LEVELS.includes(min)) throw new Error(`minConfidence must be one of ${LEVELS.join(', ')}; got ${min}`);
  if (LEVELS.indexOf(diagnosis.confidence) >= LEVELS.indexOf(min)) return plan;
  const d = diagnosis as Diagnosis & { score?: number; evidence?: string[] };
  const score = typeof d.score === 'number' ? `, score ${d.score.toFixed(2)}` : '';
  const evidence = (d.evidence ?? []).slice(0, QUOTED_EVIDENCE);
  const quoted = evidence.length > 0 ? `; evidence: ${evidence.join(' ')}` : '';
  const doubt =
    `diagnosis confidence ${diagnosis.confidence}${score} is below the minimum ${min}: ` +
    `${diagnosis.failureClass} — "${diagnosis.summary}"${quoted}`;
  return {
    ...plan,
    requiresApproval: true,
    approvalReason: plan.requiresApproval
      ? `${plan.approvalReason}; also ${doubt}`
      : `${doubt}; a human decides`,
  };
}

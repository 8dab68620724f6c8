import { activityInfo, heartbeat } from '@temporalio/activity';
import type { ActionSpec, CompensationKind } from '../core/model/plan';
import type { ActionOutcome } from '../core/model/signals';
import type { RemediationProvider } from '../providers/types';
import { providerCall, requireProviders, type ActivityDeps } from './deps';

export interface ExecuteRequest {
  /** Stable across retries and worker restarts: the provider's ledger applies it once. */
  actionId: string;
  action: ActionSpec;
}

export interface CompensateRequest {
  actionId: string;
  kind: CompensationKind;
  action: ActionSpec;
  outcome: ActionOutcome;
}

/** Applies one action through the provider; the provider's ledger makes a retry or a new worker a no-op. */
function apply(r: RemediationProvider, actionId: string, a: ActionSpec): Promise<ActionOutcome> {
  const base = { actionId, service: a.service, onProgress: (detail: string) => heartbeat(detail) };
  switch (a.kind) {
    case 'set-release':
      return r.setRelease({ ...base, release: a.release, ...(a.targets ? { targets: a.targets } : {}) });
    case 'restart':
      return r.restart({ ...base, ...(a.targets ? { targets: a.targets } : {}) });
    case 'set-weights':
      return r.setWeights({ ...base, weights: a.weights });
    case 'scale':
      return r.scale({ ...base, desiredCount: a.desiredCount });
    case 'clear-cache':
      return r.clearCache({ ...base, ...(a.targets ? { targets: a.targets } : {}) });
    case 'replay-dead-letters':
      return r.replayDeadLetters({ ...base, ...(a.max ? { max: a.max } : {}) });
  }
}

/** The actions that undo a completed one, from what it reported it changed. */
export function undoActions(req: CompensateRequest): ActionSpec[] {
  const { service } = req.action;
  const before = req.outcome.before;
  switch (req.kind) {
    case 'restore-release': {
      const byRelease = new Map<string, string[]>();
      const after = req.outcome.after.release ?? {};
      for (const [target, release] of Object.entries(before.release ?? {})) {
        if (after[target] === release) continue; // untouched by the step: nothing to restore
        byRelease.set(release, [...(byRelease.get(release) ?? []), target]);
      }
      return [...byRelease].map(([release, targets]) => ({ kind: 'set-release', service, release, targets }));
    }
    case 'restore-weights':
      return before.weights ? [{ kind: 'set-weights', service, weights: before.weights }] : [];
    case 'restore-count':
      return before.desiredCount !== undefined
        ? [{ kind: 'scale', service, desiredCount: before.desiredCount }]
        : [];
    case 'none':
      return [];
  }
}

export function actActivities(deps: ActivityDeps) {
  return {
    async executeAction(req: ExecuteRequest): Promise<ActionOutcome> {
      heartbeat(`attempt ${activityInfo().attempt}`);
      return await providerCall(() => apply(requireProviders(deps).remediation, req.actionId, req.action));
    },

    /** Undoes a completed step; each undo action has its own derived id, so a retried compensation is safe too. */
    async compensateStep(req: CompensateRequest): Promise<string[]> {
      const r = requireProviders(deps).remediation;
      const summaries: string[] = [];
      let i = 0;
      for (const undo of undoActions(req)) {
        const outcome = await providerCall(() => apply(r, `${req.actionId}/undo${i++}`, undo));
        summaries.push(outcome.summary);
      }
      return summaries;
    },
  };
}

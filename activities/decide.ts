import { diagnose } from '../core/diagnosis/diagnose';
import type { Diagnosis, Evidence } from '../core/model/diagnosis';
import type { IncidentPolicy } from '../core/model/incidentState';
import { DEFAULT_SAFETY_LIMITS } from '../core/model/permits';
import type { NoPlan, ResolvedPlan } from '../core/model/plan';
import { applyConfidenceGate, resolvePlan } from '../core/playbooks/resolve';
import { DEFAULT_MIN_CONFIDENCE } from '../core/model/config';
import { applyLearnedTrackRecord, applyPromotion } from '../core/playbooks/learning';
import { readLearning } from '../client/learning';
import { readTrackRecord } from './trackRecord';
import { activityInfo } from '@temporalio/activity';
import type { ActivityDeps } from './deps';

/**
 * Diagnosis and planning run as activities, not in the workflow: their rules and the catalog can evolve
 * without breaking the determinism of running incidents, whose history keeps the result they got.
 */
export function decideActivities(deps: ActivityDeps) {
  return {
    async loadPolicy(): Promise<IncidentPolicy> {
      return {
        approvers: [...deps.approvers],
        approvalTimeoutSeconds: deps.incidents.approvalTimeoutSeconds,
        triageSeconds: deps.incidents.triageSeconds,
        dryRun: deps.incidents.dryRun,
        safety: { ...(deps.safety ?? DEFAULT_SAFETY_LIMITS) },
        // The workflow builds its action proxy from these (derived from the worker's provider).
        ...(deps.actionTimeouts ? { actionTimeouts: { ...deps.actionTimeouts } } : {}),
        // The governor applies feedback with these (what it may change, the detector's configured threshold).
        ...(deps.learning ? { learning: { ...deps.learning } } : {}),
      };
    },

    async diagnoseIncident(evidence: Evidence): Promise<Diagnosis> {
      return diagnose(evidence);
    },

    async planRemediation(req: { diagnosis: Diagnosis; evidence: Evidence }): Promise<ResolvedPlan | NoPlan> {
      const { diagnosis, evidence } = req;
      const topology = evidence.services.find((s) => s.service === diagnosis.rootService)?.topology;
      if (!topology) return { playbook: null, reason: `no topology gathered for ${diagnosis.rootService}` };
      const resolved = resolvePlan(deps.catalog, diagnosis, topology);
      if (resolved.playbook === null) return resolved;
      // What people's feedback taught (the governor keeps it): a promotion lifts the catalog's approval
      // first; the confidence gate and the track record (feedback merged in) may still ask a human.
      const learning = deps.client ? await readLearning(deps.client, activityInfo().taskQueue) : null;
      const promoted = applyPromotion(resolved, evidence.service, learning, deps.learning?.promote ?? false);
      // The confidence gate before the track record: both may ask a human, each says why.
      const plan = applyConfidenceGate(
        promoted,
        diagnosis,
        deps.incidents.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
      );
      if (!deps.client) return plan;
      const record = await readTrackRecord(
        deps.client,
        activityInfo().taskQueue,
        evidence.service,
        plan.playbook,
      );
      return applyLearnedTrackRecord(plan, record, learning, Date.now());
    },
  };
}

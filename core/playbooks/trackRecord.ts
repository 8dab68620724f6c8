import { describeTrackRecord, type ResolvedPlan, type TrackRecord } from '../model/plan';

/**
 * Learning from outcomes: a playbook that has mostly failed on a service lately stops running
 * unattended there. Its plan asks a human first, saying why; once it works again (approved runs that
 * recover count too) it runs unattended again. A playbook that already needs approval is unchanged.
 */

/** Days of closed incidents a track record covers. */
export const TRACK_RECORD_DAYS = 30;
/** Fewer runs than this say too little to overrule the catalog. */
export const MIN_RUNS = 3;
/** Below this share of recoveries, a human approves the next run. */
export const MIN_SUCCESS_RATIO = 0.5;

export function applyTrackRecord(plan: ResolvedPlan, record: TrackRecord): ResolvedPlan {
  const runs = record.recovered + record.failed;
  const learned = {
    ...plan,
    trackRecord: record,
    approvalReason:
      runs > 0 ? `${plan.approvalReason} (${describeTrackRecord(record)})` : plan.approvalReason,
  };
  if (plan.requiresApproval || runs < MIN_RUNS || record.recovered / runs >= MIN_SUCCESS_RATIO)
    return learned;
  return {
    ...learned,
    requiresApproval: true,
    approvalReason: `learned: ${plan.playbook} recovered ${record.service} in only ${record.recovered} of its last ${runs} runs (${record.days} days); a human decides this time`,
  };
}

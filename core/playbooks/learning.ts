import type {
  Feedback,
  FeedbackAnswer,
  FeedbackRequest,
  LearningChange,
  LearningRevertRequest,
  LearningSettings,
  LearningState,
} from '../model/learning';
import { FEEDBACK_VERDICTS } from '../model/learning';
import type { ResolvedPlan, TrackRecord } from '../model/plan';
import { applyTrackRecord, TRACK_RECORD_DAYS } from './trackRecord';

/**
 * The rules of learning from people's feedback, pure so the governor (deterministic workflow code), the
 * planner and the detector share them and unit tests pin them down:
 * - `wrong` counts the incident as a failed run of its playbook on its service (the track record may then
 *   demote the playbook to approval, saying it learned from the feedback) and revokes a promotion of it;
 * - `right` counts it as a recovered run, and after `promoteAfter` right verdicts in a row promotes the
 *   playbook to run without the catalog's approval on that service, if configuration allows promotion;
 * - `noise` raises the detector's threshold for the service by a step, up to a cap.
 * Every change has an id, an explanation, and can be reverted; a newer feedback on the same incident
 * reverts the older one's changes first.
 */

/**
 * Feedback entries and changes kept (older ones remain in the governor's earlier histories): the state
 * travels in every query (the detector reads it each evaluation) and every continue-as-new. What still
 * has an effect is kept first.
 */
export const FEEDBACK_LIMIT = 300;
export const CHANGES_LIMIT = 500;
/** Longest `by` and `reason` accepted, for the same reason. */
export const MAX_BY_CHARS = 100;
export const MAX_REASON_CHARS = 500;

/** Checks a feedback request; the message names the wrong field. */
export function feedbackProblem(req: FeedbackRequest | undefined): string | undefined {
  if (!req || typeof req !== 'object') return 'a feedback request is required';
  if (!(FEEDBACK_VERDICTS as readonly string[]).includes(req.verdict))
    return `verdict must be one of ${FEEDBACK_VERDICTS.join(', ')} (got ${JSON.stringify(req.verdict)})`;
  for (const key of ['incidentId', 'by', 'reason', 'service', 'closedAt'] as const) {
    if (typeof req[key] !== 'string' || !req[key].trim()) return `${key} is required`;
  }
  if (Number.isNaN(Date.parse(req.closedAt))) return 'closedAt must be a time';
  if (req.by.length > MAX_BY_CHARS) return `by is longer than ${MAX_BY_CHARS} characters`;
  if (req.reason.length > MAX_REASON_CHARS)
    return `reason is longer than ${MAX_REASON_CHARS} characters; link to the details instead`;
  return undefined;
}

/** Why a revert cannot be done, or undefined. */
export function revertProblem(
  state: LearningState | null | undefined,
  req: LearningRevertRequest,
): string | undefined {
  if (!req?.by?.trim() || !req.reason?.trim()) return 'say who (by) and why (reason)';
  if (!req.id?.trim()) return 'name the change to revert (see `homeostat learning`)';
  const change = state?.changes.find((c) => c.id === req.id);
  if (!change) return `no learning change ${req.id} (see \`homeostat learning\`)`;
  if (change.reverted)
    return `${req.id} was already reverted by ${change.reverted.by} at ${change.reverted.at}`;
  return undefined;
}

const active = (c: LearningChange): boolean => !c.reverted;
/** 4 → "4.0", 3.75 → "3.75": thresholds read like the configured 3.5. */
const fmt = (n: number): string => {
  const rounded = Math.round(n * 100) / 100;
  return Number.isInteger(rounded * 10) ? rounded.toFixed(1) : String(rounded);
};

/** The threshold raise feedback gave a service's detector so far. */
function raiseOf(state: LearningState | null | undefined, service: string): number {
  return (state?.changes ?? [])
    .filter((c) => active(c) && c.kind === 'sensitivity' && c.service === service)
    .reduce((sum, c) => sum + (c.raise ?? 0), 0);
}

/** The detector's threshold for a service: the configured one plus what `noise` feedback raised, capped. */
export function sensitivityFor(
  state: LearningState | null | undefined,
  service: string,
  base: number,
  maxFactor: number,
): number {
  return Math.min(base + raiseOf(state, service), base * maxFactor);
}

/** Applies one feedback to the learning state (mutates it, as the governor's handlers do) and says what changed. */
export function applyFeedback(
  state: LearningState,
  req: FeedbackRequest,
  settings: LearningSettings,
  at: string,
): FeedbackAnswer {
  const reverted: LearningChange[] = [];
  const notes: string[] = [];
  const revert = (c: LearningChange, why: string): void => {
    c.reverted = { by: req.by, reason: why, at };
    reverted.push(c);
  };
  const previous = state.feedback[req.incidentId];
  if (previous) {
    for (const c of state.changes.filter((c) => previous.changeIds.includes(c.id) && active(c)))
      revert(c, `replaced by newer feedback on ${req.incidentId} (${req.verdict})`);
  }
  const made: LearningChange[] = [];
  const change = (
    c: Omit<LearningChange, 'id' | 'service' | 'incidentId' | 'by' | 'reason' | 'at'>,
  ): void => {
    made.push({
      id: `L${++state.lastId}`,
      service: req.service,
      incidentId: req.incidentId,
      by: req.by,
      reason: req.reason,
      at,
      ...c,
    });
  };
  const feedback: Feedback = { ...req, at, changeIds: [] };
  const said = `feedback by ${req.by} on ${req.incidentId}: "${req.reason}"`;
  const { playbook, service } = req;

  if (req.verdict === 'noise') {
    const current = raiseOf(state, service);
    const cap = settings.baseSensitivity * (settings.maxSensitivityFactor - 1);
    const step = Math.min(settings.sensitivityStep, cap - current);
    if (step > 1e-9) {
      const from = settings.baseSensitivity + current;
      change({
        kind: 'sensitivity',
        raise: step,
        explanation: `threshold moved ${fmt(from)} → ${fmt(from + step)} for ${service} after noise ${said}`,
      });
    } else {
      notes.push(
        `the detector's threshold for ${service} is already at its cap ` +
          `(${fmt(settings.baseSensitivity * settings.maxSensitivityFactor)}, ${settings.maxSensitivityFactor}× the configured ${fmt(settings.baseSensitivity)})`,
      );
    }
  } else if (!playbook) {
    notes.push(`${req.incidentId} ran no playbook, so no track record changes`);
  } else {
    const counts = req.verdict === 'wrong' ? 'failed' : 'recovered';
    if (req.result !== counts) {
      change({
        kind: 'track-record',
        playbook,
        counts,
        ...(req.result ? { was: req.result } : {}),
        closedAt: req.closedAt,
        explanation:
          `${playbook} on ${service} was ${req.verdict} (${said}); the incident counts as ` +
          `${counts === 'failed' ? 'a failed' : 'a recovered'} run` +
          (req.result ? ` instead of ${req.result}` : ''),
      });
    } else {
      notes.push(`${req.incidentId} already counts as ${counts} in the track record of ${playbook}`);
    }
    if (Date.parse(req.closedAt) <= Date.parse(at) - TRACK_RECORD_DAYS * 86_400_000)
      notes.push(
        `${req.incidentId} closed more than ${TRACK_RECORD_DAYS} days ago: outside the track record plans read`,
      );
    const promotions = state.changes.filter(
      (c) => active(c) && c.kind === 'promotion' && c.service === service && c.playbook === playbook,
    );
    if (req.verdict === 'wrong') {
      for (const c of promotions) revert(c, `revoked by wrong ${said}`);
    } else if (settings.promote && promotions.length === 0) {
      const streak = rightStreak(state, { ...feedback }, service, playbook);
      if (streak >= settings.promoteAfter) {
        change({
          kind: 'promotion',
          playbook,
          explanation:
            `promoted: ${playbook} runs on ${service} without the catalog's approval after ${streak} ` +
            `right verdicts in a row (the latest: ${said})`,
        });
      } else {
        notes.push(
          `${playbook} on ${service}: ${streak} of ${settings.promoteAfter} right verdicts in a row toward promotion`,
        );
      }
    }
  }

  feedback.changeIds = made.map((c) => c.id);
  state.feedback[req.incidentId] = feedback;
  state.changes.push(...made);
  bound(state, at);
  return { feedback, changes: made, reverted, notes };
}

/** Right verdicts on a service+playbook, newest first, until a wrong one (noise says nothing of the playbook). */
function rightStreak(state: LearningState, latest: Feedback, service: string, playbook: string): number {
  const verdicts = [
    ...Object.values(state.feedback).filter((f) => f.incidentId !== latest.incidentId),
    latest,
  ]
    .filter((f) => f.service === service && f.playbook === playbook && f.verdict !== 'noise')
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const firstWrong = verdicts.findIndex((f) => f.verdict === 'wrong');
  return firstWrong === -1 ? verdicts.length : firstWrong;
}

function bound(state: LearningState, at: string): void {
  const since = Date.parse(at) - TRACK_RECORD_DAYS * 86_400_000;
  // Still has an effect: not reverted, and (for a track record) its incident is within the window.
  const effective = (c: LearningChange): boolean =>
    active(c) && !(c.kind === 'track-record' && Date.parse(c.closedAt ?? '') <= since);
  if (state.changes.length > CHANGES_LIMIT) {
    const spent = state.changes.filter((c) => !effective(c)).slice(0, state.changes.length - CHANGES_LIMIT);
    const drop = new Set(spent.map((c) => c.id));
    state.changes = state.changes.filter((c) => !drop.has(c.id)).slice(-CHANGES_LIMIT);
  }
  const entries = Object.values(state.feedback);
  if (entries.length > FEEDBACK_LIMIT) {
    const live = new Set(state.changes.filter(effective).map((c) => c.id));
    const rank = (f: Feedback): number => (f.changeIds.some((id) => live.has(id)) ? 1 : 0);
    const keep = entries
      .sort((a, b) => rank(b) - rank(a) || Date.parse(b.at) - Date.parse(a.at))
      .slice(0, FEEDBACK_LIMIT);
    state.feedback = Object.fromEntries(keep.map((f) => [f.incidentId, f]));
  }
}

/** Undoes one change (mutates the state); call revertProblem first. */
export function revertChange(state: LearningState, req: LearningRevertRequest, at: string): LearningChange {
  const change = state.changes.find((c) => c.id === req.id);
  if (!change) throw new Error(`no learning change ${req.id}`);
  change.reverted = { by: req.by, reason: req.reason, at };
  return change;
}

/**
 * The track record with feedback merged in: each active track-record change of this service and playbook,
 * whose incident closed within the record's days, counts its incident as people said instead of as it ended.
 */
export function adjustTrackRecord(
  record: TrackRecord,
  state: LearningState | null | undefined,
  now: number,
): { record: TrackRecord; applied: LearningChange[] } {
  const since = now - record.days * 86_400_000;
  const applied = (state?.changes ?? []).filter(
    (c) =>
      active(c) &&
      c.kind === 'track-record' &&
      c.service === record.service &&
      c.playbook === record.playbook &&
      Date.parse(c.closedAt ?? '') > since,
  );
  let { recovered, failed } = record;
  for (const c of applied) {
    if (c.counts === 'failed') failed++;
    if (c.counts === 'recovered') recovered++;
    if (c.was === 'failed') failed--;
    if (c.was === 'recovered') recovered--;
  }
  return { record: { ...record, recovered: Math.max(0, recovered), failed: Math.max(0, failed) }, applied };
}

/**
 * A plan the catalog makes wait for approval runs unattended where configuration allows promotion and
 * feedback promoted its playbook on this service. Applied before the confidence gate and the track
 * record, which may still ask a human.
 */
export function applyPromotion(
  plan: ResolvedPlan,
  service: string,
  state: LearningState | null | undefined,
  promoteAllowed: boolean,
): ResolvedPlan {
  if (!plan.requiresApproval || !promoteAllowed) return plan;
  const promotion = (state?.changes ?? []).find(
    (c) => active(c) && c.kind === 'promotion' && c.service === service && c.playbook === plan.playbook,
  );
  if (!promotion) return plan;
  return {
    ...plan,
    requiresApproval: false,
    approvalReason: `${promotion.explanation} [${promotion.id}] (the catalog says: ${plan.approvalReason})`,
  };
}

/**
 * applyTrackRecord on the record with feedback merged in. When the feedback is what makes a human decide,
 * the approval reason says it learned from whose feedback (and the change ids, to revert them).
 */
export function applyLearnedTrackRecord(
  plan: ResolvedPlan,
  observed: TrackRecord,
  state: LearningState | null | undefined,
  now: number,
): ResolvedPlan {
  const { record, applied } = adjustTrackRecord(observed, state, now);
  const learned = applyTrackRecord(plan, record);
  if (applied.length === 0) return learned;
  const ids = applied.map((c) => c.id).join(', ');
  if (learned.requiresApproval && !applyTrackRecord(plan, observed).requiresApproval) {
    const who = [...new Set(applied.map((c) => c.by))].join(', ');
    const why = applied.map((c) => `"${c.reason}" on ${c.incidentId}`).join('; ');
    return {
      ...learned,
      approvalReason: `learned from feedback by ${who} (${why}) [${ids}]: ${learned.approvalReason}`,
    };
  }
  return { ...learned, approvalReason: `${learned.approvalReason} (with feedback ${ids})` };
}

/** The detector's settings for one service, its threshold raised by `noise` feedback (see sensitivityFor). */
export function learnedDetectorSettings<S extends { sensitivity: number }>(
  settings: S,
  state: LearningState | null | undefined,
  service: string,
  maxFactor: number,
): S {
  if (!state) return settings;
  return { ...settings, sensitivity: sensitivityFor(state, service, settings.sensitivity, maxFactor) };
}

import { loadConfig } from '../../core/model/config';
import { formatGovernor } from '../../core/model/governorSummary';
import { DEFAULT_SAFETY_LIMITS } from '../../core/model/permits';
import {
  DEFAULT_LEARNING_SETTINGS,
  emptyLearningState,
  type FeedbackRequest,
  type LearningSettings,
  type LearningState,
} from '../../core/model/learning';
import type { ResolvedPlan, TrackRecord } from '../../core/model/plan';
import {
  adjustTrackRecord,
  applyFeedback,
  CHANGES_LIMIT,
  FEEDBACK_LIMIT,
  applyLearnedTrackRecord,
  applyPromotion,
  feedbackProblem,
  learnedDetectorSettings,
  revertChange,
  revertProblem,
  sensitivityFor,
} from '../../core/playbooks/learning';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const at = (minutes: number): string => new Date(NOW + minutes * 60_000).toISOString();
const closedAt = at(-60);

const feedback = (
  incident: string,
  verdict: FeedbackRequest['verdict'],
  more: Partial<FeedbackRequest> = {},
): FeedbackRequest => ({
  incidentId: `incident:checkout/${incident}`,
  verdict,
  by: 'alice',
  reason: `${verdict} because of ${incident}`,
  service: 'checkout',
  playbook: 'rollback-bad-release',
  result: 'recovered',
  closedAt,
  ...more,
});

const unattended: ResolvedPlan = {
  playbook: 'rollback-bad-release',
  failureClass: 'bad-release',
  requiresApproval: false,
  approvalReason: 'playbook rollback-bad-release is approved to run unattended',
  stages: [],
  expectedReleases: {},
  recovery: {} as ResolvedPlan['recovery'],
};
const record = (recovered: number, failed: number): TrackRecord => ({
  service: 'checkout',
  playbook: 'rollback-bad-release',
  recovered,
  failed,
  days: 30,
});

let minute = 0;
/** Applies feedback in order, a minute apart (across calls too), with the given settings. */
function give(state: LearningState, settings: LearningSettings, ...reqs: FeedbackRequest[]) {
  return reqs.map((req) => applyFeedback(state, req, settings, at(++minute)));
}

describe('learning: validation', () => {
  it('names the wrong field', () => {
    expect(feedbackProblem(feedback('a', 'wrong'))).toBeUndefined();
    expect(feedbackProblem({ ...feedback('a', 'wrong'), verdict: 'bad' as never })).toMatch(
      /verdict must be one of noise, right, wrong \(got "bad"\)/,
    );
    expect(feedbackProblem(feedback('a', 'right', { by: ' ' }))).toBe('by is required');
    expect(feedbackProblem(feedback('a', 'right', { reason: '' }))).toBe('reason is required');
    expect(feedbackProblem(feedback('a', 'right', { closedAt: 'yesterday' }))).toMatch(/closedAt/);
    expect(feedbackProblem(undefined)).toMatch(/required/);
    expect(feedbackProblem(feedback('a', 'right', { reason: 'x'.repeat(501) }))).toMatch(
      /reason is longer than 500 characters/,
    );
  });

  it('refuses to revert an unknown or already reverted change', () => {
    const state = emptyLearningState();
    give(state, DEFAULT_LEARNING_SETTINGS, feedback('a', 'wrong'));
    const req = { id: 'L1', by: 'bob', reason: 'the rollback was right after all' };
    expect(revertProblem(state, { ...req, id: 'L9' })).toMatch(/no learning change L9/);
    expect(revertProblem(state, { ...req, reason: '' })).toMatch(/say who/);
    expect(revertProblem(state, req)).toBeUndefined();
    revertChange(state, req, at(5));
    expect(revertProblem(state, req)).toMatch(/already reverted by bob/);
  });
});

describe('learning: wrong and right feed the track record', () => {
  it('wrong on two of three recovered runs demotes the playbook, saying so; a revert lifts it', () => {
    const state = emptyLearningState();
    const [first, second] = give(
      state,
      DEFAULT_LEARNING_SETTINGS,
      feedback('a', 'wrong'),
      feedback('b', 'wrong', { by: 'carol' }),
    );
    expect(first!.changes).toMatchObject([
      { id: 'L1', kind: 'track-record', counts: 'failed', was: 'recovered' },
    ]);
    expect(second!.changes[0]!.id).toBe('L2');
    // Temporal's visibility counts the three runs as recovered; feedback says two were wrong.
    expect(adjustTrackRecord(record(3, 0), state, NOW).record).toMatchObject({ recovered: 1, failed: 2 });
    const plan = applyLearnedTrackRecord(unattended, record(3, 0), state, NOW);
    expect(plan.requiresApproval).toBe(true);
    expect(plan.approvalReason).toMatch(
      /^learned from feedback by alice, carol \(.*\) \[L1, L2\]: learned: /,
    );
    expect(plan.approvalReason).toMatch(/recovered checkout in only 1 of its last 3 runs/);

    revertChange(state, { id: 'L2', by: 'bob', reason: 'carol meant another incident' }, at(10));
    const after = applyLearnedTrackRecord(unattended, record(3, 0), state, NOW);
    expect(after.requiresApproval).toBe(false);
    expect(after.approvalReason).toMatch(/with feedback L1/);
  });

  it('counts feedback only for incidents within the track record window', () => {
    const state = emptyLearningState();
    const [old] = give(
      state,
      DEFAULT_LEARNING_SETTINGS,
      feedback('old', 'wrong', { closedAt: at(-31 * 24 * 60) }),
    );
    expect(old!.notes).toContainEqual(expect.stringMatching(/closed more than 30 days ago/));
    expect(adjustTrackRecord(record(3, 0), state, NOW).applied).toHaveLength(0);
  });

  it('changes nothing when the incident already counts that way, and says so', () => {
    const state = emptyLearningState();
    const [answer] = give(state, DEFAULT_LEARNING_SETTINGS, feedback('a', 'wrong', { result: 'failed' }));
    expect(answer!.changes).toEqual([]);
    expect(answer!.notes[0]).toMatch(/already counts as failed/);
    const [noPlaybook] = give(
      state,
      DEFAULT_LEARNING_SETTINGS,
      feedback('b', 'wrong', { playbook: undefined }),
    );
    expect(noPlaybook!.notes[0]).toMatch(/ran no playbook/);
  });

  it('a newer feedback on the same incident replaces the older one, reverting its changes', () => {
    const state = emptyLearningState();
    const [, replaced] = give(
      state,
      DEFAULT_LEARNING_SETTINGS,
      feedback('a', 'wrong', { result: 'failed' }),
      feedback('a', 'wrong'),
    );
    expect(replaced!.changes.map((c) => c.id)).toEqual(['L1']);
    const [right] = give(state, DEFAULT_LEARNING_SETTINGS, feedback('a', 'right', { result: 'failed' }));
    expect(right!.reverted.map((c) => c.id)).toEqual(['L1']);
    expect(right!.changes).toMatchObject([{ id: 'L2', counts: 'recovered', was: 'failed' }]);
    expect(Object.keys(state.feedback)).toEqual(['incident:checkout/a']);
    expect(adjustTrackRecord(record(0, 1), state, NOW).record).toMatchObject({ recovered: 1, failed: 0 });
  });
});

describe('learning: promotion only where configuration allows', () => {
  const gated: ResolvedPlan = {
    ...unattended,
    requiresApproval: true,
    approvalReason: 'rollbacks need a human',
  };
  const allow = { ...DEFAULT_LEARNING_SETTINGS, promote: true, promoteAfter: 2 };

  it('never promotes by default', () => {
    const state = emptyLearningState();
    const answers = give(
      state,
      DEFAULT_LEARNING_SETTINGS,
      ...['a', 'b', 'c', 'd'].map((i) => feedback(i, 'right')),
    );
    expect(answers.flatMap((a) => a.changes)).toEqual([]);
    expect(applyPromotion(gated, 'checkout', state, false)).toBe(gated);
  });

  it('promotes after N right verdicts in a row; a wrong breaks the streak and revokes it', () => {
    const state = emptyLearningState();
    const [a, , c] = give(
      state,
      allow,
      feedback('a', 'right'),
      feedback('b', 'wrong', { result: 'failed' }),
      feedback('c', 'right'),
    );
    expect(a!.notes).toContainEqual(expect.stringMatching(/1 of 2 right verdicts in a row/));
    expect(c!.changes).toEqual([]); // the wrong in between restarted the count
    const [d] = give(state, allow, feedback('d', 'right'));
    const promotion = d!.changes.find((ch) => ch.kind === 'promotion');
    expect(promotion?.explanation).toMatch(
      /promoted: rollback-bad-release runs on checkout without the catalog's approval after 2 right/,
    );
    const promoted = applyPromotion(gated, 'checkout', state, true);
    expect(promoted.requiresApproval).toBe(false);
    expect(promoted.approvalReason).toMatch(
      new RegExp(`\\[${promotion!.id}\\] \\(the catalog says: rollbacks need a human\\)`),
    );
    // Configuration withdrawn: the catalog's approval holds again.
    expect(applyPromotion(gated, 'checkout', state, false).requiresApproval).toBe(true);
    // Another service is not promoted.
    expect(applyPromotion(gated, 'web', state, true).requiresApproval).toBe(true);

    const [wrong] = give(state, allow, feedback('e', 'wrong'));
    expect(wrong!.reverted.map((r) => r.id)).toContain(promotion!.id);
    expect(applyPromotion(gated, 'checkout', state, true).requiresApproval).toBe(true);
  });
});

describe('learning: noise raises the detector threshold', () => {
  it('moves it a step per noise, caps it, and a revert restores it', () => {
    const state = emptyLearningState();
    const answers = give(
      state,
      DEFAULT_LEARNING_SETTINGS,
      ...Array.from({ length: 9 }, (_, i) => feedback(`n${i}`, 'noise', { playbook: undefined })),
    );
    expect(answers[0]!.changes[0]!.explanation).toMatch(
      /^threshold moved 3\.5 → 4\.0 for checkout after noise feedback by alice on incident:checkout\/n0/,
    );
    // 3.5 × 2 = 7.0 is reached after seven steps of 0.5; the eighth and ninth change nothing.
    expect(answers.filter((a) => a.changes.length > 0)).toHaveLength(7);
    expect(answers[7]!.notes[0]).toMatch(/already at its cap \(7\.0, 2× the configured 3\.5\)/);
    expect(sensitivityFor(state, 'checkout', 3.5, 2)).toBe(7);
    expect(sensitivityFor(state, 'web', 3.5, 2)).toBe(3.5);

    for (const c of state.changes)
      revertChange(state, { id: c.id, by: 'bob', reason: 'the alerts were real' }, at(20));
    expect(sensitivityFor(state, 'checkout', 3.5, 2)).toBe(3.5);
  });

  it('gives the detector the raised threshold for that service only', () => {
    const state = emptyLearningState();
    give(state, DEFAULT_LEARNING_SETTINGS, feedback('n', 'noise'));
    const settings = { sensitivity: 3.5, forSeconds: 5 };
    expect(learnedDetectorSettings(settings, state, 'checkout', 2)).toEqual({
      sensitivity: 4,
      forSeconds: 5,
    });
    expect(learnedDetectorSettings(settings, state, 'web', 2)).toEqual(settings);
    expect(learnedDetectorSettings(settings, null, 'checkout', 2)).toBe(settings);
    // A smaller cap configured later still holds.
    expect(sensitivityFor(state, 'checkout', 3.5, 1.1)).toBeCloseTo(3.85);
  });
});

describe('learning: configuration', () => {
  it('defaults: no promotion, three right in a row, +0.5 per noise, at most twice the threshold', () => {
    expect(loadConfig({}).learning).toEqual({
      promote: false,
      promoteAfter: 3,
      sensitivityStep: 0.5,
      maxSensitivityFactor: 2,
    });
    expect(DEFAULT_LEARNING_SETTINGS).toMatchObject({ ...loadConfig({}).learning, baseSensitivity: 3.5 });
  });

  it('reads the environment and names a bad key', () => {
    const cfg = loadConfig({ HOMEOSTAT_LEARNING_PROMOTE: 'true', HOMEOSTAT_LEARNING_PROMOTE_AFTER: '5' });
    expect(cfg.learning).toMatchObject({ promote: true, promoteAfter: 5 });
    expect(() => loadConfig({ HOMEOSTAT_LEARNING_MAX_SENSITIVITY_FACTOR: '0.5' })).toThrow(
      /HOMEOSTAT_LEARNING_MAX_SENSITIVITY_FACTOR \(learning\.maxSensitivityFactor\)/,
    );
  });
});

describe('learning: bounded state', () => {
  it('keeps what still has an effect and lets spent feedback go first', () => {
    const state = emptyLearningState();
    give(state, DEFAULT_LEARNING_SETTINGS, feedback('noise', 'noise'));
    const longAgo = at(-40 * 24 * 60); // outside the 30-day track record: spent
    give(
      state,
      DEFAULT_LEARNING_SETTINGS,
      ...Array.from({ length: CHANGES_LIMIT + 20 }, (_, i) =>
        feedback(`old-${i}`, 'wrong', { closedAt: longAgo }),
      ),
    );
    expect(state.changes.length).toBeLessThanOrEqual(CHANGES_LIMIT);
    expect(Object.keys(state.feedback)).toHaveLength(FEEDBACK_LIMIT);
    // The threshold raise (the oldest change) and its feedback survive; spent ones went.
    expect(state.changes[0]).toMatchObject({ id: 'L1', kind: 'sensitivity' });
    expect(state.feedback['incident:checkout/noise']).toBeDefined();
    expect(sensitivityFor(state, 'checkout', 3.5, 2)).toBe(4);
  });
});

describe('learning: homeostat safety', () => {
  it('counts the changes in force', () => {
    const learning = emptyLearningState();
    give(learning, DEFAULT_LEARNING_SETTINGS, feedback('a', 'noise'), feedback('b', 'noise'));
    revertChange(learning, { id: 'L2', by: 'bob', reason: 'real' }, at(30));
    expect(formatGovernor({ paused: null, log: [], learning }, DEFAULT_SAFETY_LIMITS, NOW)).toContain(
      'learned from feedback: 1 change(s) in force (`homeostat learning` lists them)',
    );
    expect(formatGovernor({ paused: null, log: [] }, DEFAULT_SAFETY_LIMITS, NOW)).not.toContain('learned');
  });
});

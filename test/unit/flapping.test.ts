import {
  askFlapping,
  backoffSeconds,
  DEFAULT_FLAPPING_LIMITS,
  emptyFlappingState,
  flappingLimits,
  formatFlapping,
  invalidFlappingLimits,
  noteRecovery,
  type FlappingAsk,
  type FlappingLimits,
} from '../../core/model/flapping';
import { configSchema, loadConfig } from '../../core/model/config';
import { DEFAULT_SAFETY_LIMITS } from '../../core/model/permits';
import { formatGovernor } from '../../core/model/governorSummary';

const T0 = Date.parse('2026-12-02T10:00:00Z');
const MIN = 60_000;
const failure = { rootService: 'checkout', failureClass: 'bad-release' };
let n = 0;
const ask = (limits: FlappingLimits, extra: Partial<FlappingAsk> = {}): FlappingAsk => ({
  askId: `ask-${++n}`,
  incidentId: `inc-${n}`,
  ...failure,
  limits,
  ...extra,
});

/** Recovers the failure `count` times (incidents r1..rN), a minute apart from `from`. */
function recovered(count: number, limits: FlappingLimits, from = T0) {
  const state = emptyFlappingState();
  for (let i = 0; i < count; i++)
    noteRecovery(state, { incidentId: `r${i + 1}`, ...failure }, from + i * MIN, limits);
  return state;
}

describe('flapping protection', () => {
  it('backs off 1, 2, 4, 8 minutes by default and escalates the 5th return within 30 minutes', () => {
    const limits = DEFAULT_FLAPPING_LIMITS;
    expect([1, 2, 3, 4, 5, 6].map((k) => backoffSeconds(k, limits))).toEqual([60, 120, 240, 480, 480, 480]);
    const answers = [0, 1, 2, 3, 4, 5].map((returns) => {
      const state = recovered(returns, limits);
      return askFlapping(state, ask(limits), T0 + 10 * MIN);
    });
    expect(answers.map((a) => a.verdict)).toEqual(['go', 'wait', 'wait', 'wait', 'wait', 'escalate']);
    expect(answers.map((a) => (a.verdict === 'wait' ? a.seconds : null))).toEqual([
      null,
      60,
      120,
      240,
      480,
      null,
    ]);
    expect(answers[1]).toMatchObject({
      reason: expect.stringMatching(/bad-release on checkout returned once within 30 min of a recovery/),
    });
    expect(answers[5]).toMatchObject({
      returns: 5,
      reason: expect.stringMatching(/returned 5 times within 30 min.*a human decides — no action taken/),
    });
  });

  it('the defaults reach the incidents through the configuration unchanged', () => {
    const cfg = loadConfig({});
    expect(flappingLimits(cfg.safety)).toEqual(DEFAULT_FLAPPING_LIMITS);
    expect(flappingLimits(DEFAULT_SAFETY_LIMITS)).toEqual(DEFAULT_FLAPPING_LIMITS);
    // A policy recorded before flapping protection has none of the fields: the defaults apply.
    const { flappingWindowSeconds, flappingBaseSeconds, flappingCapSeconds, flappingMaxBackoffs, ...old } =
      DEFAULT_SAFETY_LIMITS;
    void [flappingWindowSeconds, flappingBaseSeconds, flappingCapSeconds, flappingMaxBackoffs];
    expect(flappingLimits(old)).toEqual(DEFAULT_FLAPPING_LIMITS);
  });

  it('reads shortened settings from the environment and refuses a zero', () => {
    const cfg = loadConfig({
      HOMEOSTAT_FLAPPING_BASE_SECONDS: '2',
      HOMEOSTAT_FLAPPING_CAP_SECONDS: '8',
      HOMEOSTAT_FLAPPING_MAX_BACKOFFS: '1',
      HOMEOSTAT_FLAPPING_WINDOW_SECONDS: '600',
    });
    expect(flappingLimits(cfg.safety)).toEqual({
      windowSeconds: 600,
      baseSeconds: 2,
      capSeconds: 8,
      maxBackoffs: 1,
    });
    expect(() => loadConfig({ HOMEOSTAT_FLAPPING_MAX_BACKOFFS: '0' })).toThrow(
      /HOMEOSTAT_FLAPPING_MAX_BACKOFFS \(safety.flappingMaxBackoffs\)/,
    );
    expect(configSchema.safeParse({ temporal: {}, embedded: {}, worker: {} }).success).toBe(true);
  });

  it('a shortened schedule: 2 s, 4 s, 8 s capped, escalating past maxBackoffs', () => {
    const limits: FlappingLimits = { windowSeconds: 600, baseSeconds: 2, capSeconds: 5, maxBackoffs: 3 };
    expect([1, 2, 3].map((k) => backoffSeconds(k, limits))).toEqual([2, 4, 5]);
    expect(askFlapping(recovered(3, limits), ask(limits), T0 + 5 * MIN)).toMatchObject({
      verdict: 'wait',
      seconds: 5,
      returns: 3,
    });
    expect(askFlapping(recovered(4, limits), ask(limits), T0 + 5 * MIN).verdict).toBe('escalate');
  });

  it('forgets recoveries older than the window, and counts other failures apart', () => {
    const limits = DEFAULT_FLAPPING_LIMITS;
    const state = recovered(2, limits);
    noteRecovery(state, { incidentId: 'x', rootService: 'web', failureClass: 'bad-release' }, T0, limits);
    noteRecovery(state, { incidentId: 'y', rootService: 'checkout', failureClass: 'deadlock' }, T0, limits);
    expect(askFlapping(state, ask(limits), T0 + 20 * MIN)).toMatchObject({ verdict: 'wait', returns: 2 });
    // 30.5 minutes after the first recovery it no longer counts; 30.5 after the second, neither does it.
    expect(askFlapping(state, ask(limits), T0 + 30.5 * MIN)).toMatchObject({ verdict: 'wait', returns: 1 });
    expect(askFlapping(state, ask(limits), T0 + 31.5 * MIN).verdict).toBe('go');
    expect(state.recoveries).toEqual({});
  });

  it('answers a retried ask the same, counts a recovery once, and never counts the asker itself', () => {
    const limits = DEFAULT_FLAPPING_LIMITS;
    const state = recovered(1, limits);
    noteRecovery(state, { incidentId: 'r1', ...failure }, T0 + MIN, limits); // a retried release
    const first = askFlapping(state, ask(limits, { askId: 'same' }), T0 + 2 * MIN);
    noteRecovery(state, { incidentId: 'r9', ...failure }, T0 + 3 * MIN, limits);
    expect(askFlapping(state, ask(limits, { askId: 'same' }), T0 + 4 * MIN)).toEqual(first);
    expect(first).toMatchObject({ verdict: 'wait', returns: 1 });
    // r9 itself re-planning after its own recovery sees only r1's.
    expect(askFlapping(state, ask(limits, { incidentId: 'r9' }), T0 + 5 * MIN)).toMatchObject({ returns: 1 });
  });

  it('keeps its memory bounded', () => {
    const limits = DEFAULT_FLAPPING_LIMITS;
    const state = recovered(200, { ...limits, windowSeconds: 10 * 24 * 3600 });
    expect(state.recoveries['checkout|bad-release']!.length).toBeLessThanOrEqual(50);
    for (let i = 0; i < 800; i++) askFlapping(state, ask(limits), T0);
    expect(state.answers.length).toBe(500);
  });

  it('shows in `homeostat safety` what the next return of a recent failure meets', () => {
    const limits = { ...DEFAULT_FLAPPING_LIMITS, maxBackoffs: 2 };
    const state = recovered(2, limits);
    noteRecovery(state, { incidentId: 'w', rootService: 'web', failureClass: 'deadlock' }, T0, limits);
    expect(formatFlapping(state, T0 + 5 * MIN, limits)).toEqual([
      'recovered lately (flapping protection, 30 min window):',
      '  bad-release on checkout: 2 recoveries; its next return waits 120 s',
      '  deadlock on web: 1 recovery; its next return waits 60 s',
    ]);
    noteRecovery(state, { incidentId: 'r3', ...failure }, T0 + 2 * MIN, limits);
    expect(formatFlapping(state, T0 + 5 * MIN, limits)[1]).toMatch(
      /3 recoveries; its next return goes to a human/,
    );
    expect(formatFlapping(state, T0 + 40 * MIN, limits)).toEqual([]);
    expect(
      formatGovernor(
        { paused: null, log: [], flapping: state },
        { ...DEFAULT_SAFETY_LIMITS, flappingMaxBackoffs: 2 },
        T0 + 5 * MIN,
      ),
    ).toContain('bad-release on checkout: 3 recoveries');
  });

  it('names the wrong limit', () => {
    expect(invalidFlappingLimits(undefined)).toBe('limits are required');
    expect(invalidFlappingLimits({ ...DEFAULT_FLAPPING_LIMITS, capSeconds: 0 })).toBe(
      'limits.capSeconds must be a positive number',
    );
    expect(invalidFlappingLimits({ ...DEFAULT_FLAPPING_LIMITS, maxBackoffs: 1.5 })).toMatch(/maxBackoffs/);
    expect(invalidFlappingLimits(DEFAULT_FLAPPING_LIMITS)).toBeUndefined();
  });
});

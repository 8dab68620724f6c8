import {
  DEFAULT_SAFETY_LIMITS,
  emptyPermitState,
  type PermitRequest,
  type SafetyLimits,
} from '../../core/model/permits';
import { breakerOpen, decidePermit, releasePermits } from '../../workflows/permitRules';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const MIN = 60_000;
const limits: SafetyLimits = {
  ...DEFAULT_SAFETY_LIMITS,
  maxActionsPerServicePerHour: 3,
  maxActionsPerHour: 5,
  maxConcurrentServices: 2,
  breakerFailures: 2,
  breakerWindowSeconds: 3600,
};
let n = 0;
const ask = (
  service: string,
  incident = `inc-${service}`,
  extra: Partial<PermitRequest> = {},
): PermitRequest => ({
  permitId: `${incident}/step-${++n}`,
  incidentId: incident,
  service,
  stepId: `step-${n}`,
  limits,
  ...extra,
});

describe('governor permit rules', () => {
  it('grants up to the per-service rate, then says when to ask again', () => {
    const state = emptyPermitState();
    for (let i = 0; i < 3; i++)
      expect(decidePermit(state, ask('checkout'), T0 + i * MIN).verdict).toBe('granted');
    const held = decidePermit(state, ask('checkout'), T0 + 10 * MIN);
    expect(held).toMatchObject({ verdict: 'wait', reason: expect.stringMatching(/3 actions on checkout/) });
    // The oldest grant (T0) leaves the rolling hour 50 minutes later.
    expect(held.verdict === 'wait' && held.retryAfterSeconds).toBe(50 * 60);
    expect(decidePermit(state, ask('checkout'), T0 + 61 * MIN).verdict).toBe('granted');
  });

  it('counts a permit asked twice once (an activity retried after the grant)', () => {
    const state = emptyPermitState();
    const req = ask('checkout');
    expect(decidePermit(state, req, T0).verdict).toBe('granted');
    expect(decidePermit(state, req, T0 + 1000)).toMatchObject({ verdict: 'granted', detail: /asked again/ });
    expect(state.actions).toHaveLength(1);
  });

  it('applies the global rate across services', () => {
    const state = emptyPermitState();
    const services = ['a', 'a', 'a', 'b', 'b'];
    // Same incident id for all, so the blast radius does not interfere.
    for (const s of services) expect(decidePermit(state, ask(s, 'one'), T0).verdict).toBe('granted');
    expect(decidePermit(state, ask('b', 'one'), T0)).toMatchObject({
      verdict: 'wait',
      reason: expect.stringMatching(/5 actions in the last hour/),
    });
  });

  it('limits how many services are remediated at once, and frees the lease on release', () => {
    const state = emptyPermitState();
    expect(decidePermit(state, ask('web'), T0).verdict).toBe('granted');
    expect(decidePermit(state, ask('checkout'), T0).verdict).toBe('granted');
    expect(decidePermit(state, ask('payments'), T0)).toMatchObject({
      verdict: 'wait',
      reason: expect.stringMatching(/2 service\(s\) already under remediation \(web, checkout\)/),
    });
    // A second incident on a service already being remediated widens nothing.
    expect(decidePermit(state, ask('web', 'inc-web-2'), T0).verdict).toBe('granted');
    releasePermits(
      state,
      { incidentId: 'inc-web', services: ['web'], result: 'neutral', conclusion: '', limits },
      T0,
    );
    releasePermits(
      state,
      { incidentId: 'inc-web-2', services: ['web'], result: 'neutral', conclusion: '', limits },
      T0,
    );
    expect(decidePermit(state, ask('payments'), T0).verdict).toBe('granted');
  });

  it('forgets the lease of an incident that died without releasing it', () => {
    const state = emptyPermitState();
    decidePermit(state, ask('web'), T0);
    decidePermit(state, ask('checkout'), T0);
    expect(decidePermit(state, ask('payments'), T0 + 60 * MIN).verdict).toBe('wait');
    expect(decidePermit(state, ask('payments'), T0 + 121 * MIN).verdict).toBe('granted');
  });

  it('opens the breaker after repeated failures; an approval passes it, a recovery closes it', () => {
    const state = emptyPermitState();
    const fail = (incidentId: string, at: number): void =>
      releasePermits(
        state,
        { incidentId, services: ['checkout'], result: 'failed', conclusion: 'did not verify', limits },
        at,
      );
    fail('i1', T0);
    fail('i1', T0 + 1000); // the same release retried counts once
    expect(breakerOpen(state, 'checkout', limits)).toBe(false);
    fail('i2', T0 + 5 * MIN);
    expect(breakerOpen(state, 'checkout', limits)).toBe(true);

    expect(decidePermit(state, ask('checkout', 'i3'), T0 + 6 * MIN)).toMatchObject({
      verdict: 'needs-approval',
      reason: expect.stringMatching(
        /circuit breaker of checkout is open: 2 remediation\(s\) failed.*did not verify/,
      ),
    });
    expect(decidePermit(state, ask('payments', 'i4'), T0 + 6 * MIN).verdict).toBe('granted');
    const approved = decidePermit(state, ask('checkout', 'i3', { approvedBy: 'alice' }), T0 + 7 * MIN);
    expect(approved).toMatchObject({ verdict: 'granted', detail: /overridden by alice/ });
    expect(state.actions.at(-1)?.approvedBy).toBe('alice');

    releasePermits(
      state,
      { incidentId: 'i3', services: ['checkout'], result: 'recovered', conclusion: 'ok', limits },
      T0 + 8 * MIN,
    );
    expect(breakerOpen(state, 'checkout', limits)).toBe(false);
  });

  it('closes the breaker by itself once its failures leave the window', () => {
    const state = emptyPermitState();
    for (const id of ['i1', 'i2'])
      releasePermits(
        state,
        { incidentId: id, services: ['checkout'], result: 'failed', conclusion: 'x', limits },
        T0,
      );
    expect(decidePermit(state, ask('checkout'), T0 + 59 * MIN).verdict).toBe('needs-approval');
    expect(decidePermit(state, ask('checkout'), T0 + 60 * MIN).verdict).toBe('granted');
    expect(state.breakers).toEqual({});
  });
});

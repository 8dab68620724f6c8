import type { ServiceVerdict, SignalVerdict } from '../../core/detection/evaluate';
import {
  advance,
  emptyDetectorState,
  fingerprintOf,
  markDelivered,
  outbox,
  viewOf,
  type DetectorState,
  type StepSettings,
} from '../../core/detection/state';
import { DEFAULT_BURN_WINDOWS } from '../../core/model/detectorConfig';

/** The detector's state machine over evaluations the test writes by hand: no clock, no server. */

const T0 = Date.parse('2026-12-01T10:00:00Z');
const SEC = 1000;
const SETTINGS: StepSettings = {
  forSeconds: 5,
  recentSeconds: 5,
  baselineSeconds: 120,
  burnWindows: DEFAULT_BURN_WINDOWS,
};
const DEPS = { web: ['checkout'], checkout: ['payments'], payments: [] };

const signal = (
  key: string,
  state: SignalVerdict['state'],
  impact: SignalVerdict['impact'] = 'user',
): SignalVerdict => ({
  key,
  metric: key.split('@')[0]!,
  value: state === 'anomalous' ? 0.5 : 0,
  level: 0,
  state,
  impact,
  reason: `${key} ${state}`,
});

/** Verdicts of the three services: the named ones anomalous on `key`, the rest normal. */
function verdicts(anomalous: Record<string, string[]>): ServiceVerdict[] {
  return Object.keys(DEPS).map((service) => ({
    service,
    signals: [
      ...new Set(['error_ratio', 'latency_p95_ms', 'request_rate', ...(anomalous[service] ?? [])]),
    ].map((key) =>
      signal(
        key,
        anomalous[service]?.includes(key) ? 'anomalous' : 'normal',
        key === 'request_rate' ? 'context' : 'user',
      ),
    ),
  }));
}

/** Runs evaluations every 5 s from T0; returns the state and the alerts delivered on the way. */
function run(steps: Array<Record<string, string[]>>, start: DetectorState = emptyDetectorState()) {
  let state = start;
  const delivered: ReturnType<typeof outbox> = [];
  steps.forEach((anomalous, i) => {
    state = advance(
      state,
      { at: T0 + i * 5 * SEC, services: verdicts(anomalous), dependencies: DEPS, errors: {} },
      SETTINGS,
    ).state;
    const owed = outbox(state);
    delivered.push(...owed);
    state = markDelivered(state, owed);
  });
  return { state, delivered };
}

const badCheckout = { checkout: ['error_ratio', 'latency_p95_ms'], web: ['error_ratio'] };

describe('the detector state machine', () => {
  it('a bad checkout with web failing too: one alert, on checkout, naming web as its victim', () => {
    const { state, delivered } = run([badCheckout, badCheckout, badCheckout]);
    expect(delivered).toHaveLength(1);
    const [alert] = delivered;
    expect(alert).toMatchObject({
      source: 'detector',
      service: 'checkout',
      status: 'firing',
      name: 'ErrorRatioAnomaly',
      labels: { victims: 'web', signal: 'error_ratio' },
      startsAt: new Date(T0).toISOString(),
      fingerprint: 'detector/checkout/error_ratio/' + T0,
    });
    expect(state.episodes.web).toMatchObject({ role: 'victim', related: ['checkout'], delivered: false });
    expect(state.episodes.checkout!.signals).toEqual(['error_ratio', 'latency_p95_ms']);
  });

  it("a caller's own failure is not its dependency's: a leak in web and dead letters in checkout are two alerts", () => {
    const twoFaults = { web: ['memory_rss_mb@web-0'], checkout: ['dead_letters'] };
    const { state, delivered } = run([twoFaults, twoFaults, twoFaults]);
    expect(delivered.map((a) => a.service).sort()).toEqual(['checkout', 'web']);
    expect(state.episodes.web).toMatchObject({ role: 'root', related: [] });
    // Errors on web while checkout only has dead letters: nothing web's users feel comes from checkout.
    const unrelated = { web: ['error_ratio'], checkout: ['dead_letters'] };
    expect(
      run([unrelated, unrelated, unrelated])
        .delivered.map((a) => a.service)
        .sort(),
    ).toEqual(['checkout', 'web']);
  });

  it('an incident scope, when configured, labels every alert (incident:<service>/<scope>)', () => {
    let state = run([badCheckout, badCheckout]).state;
    state = advance(
      state,
      { at: T0 + 10 * SEC, services: verdicts({}), dependencies: DEPS, errors: {} },
      SETTINGS,
    ).state;
    expect(outbox(state, 'cell-a')).toMatchObject([
      { status: 'resolved', labels: { incident_scope: 'cell-a' } },
    ]);
    expect(outbox(state)[0]!.labels.incident_scope).toBeUndefined();
  });

  it('fires only after `for`: nothing after the first evaluation, the alert after the second', () => {
    expect(run([badCheckout]).delivered).toHaveLength(0);
    expect(run([badCheckout]).state.signals.checkout).toMatchObject({
      error_ratio: { phase: 'pending', since: T0 },
    });
    expect(run([badCheckout, badCheckout]).delivered).toHaveLength(1);
  });

  it('a burst seen by one evaluation only, and a traffic spike alone, alert nothing', () => {
    expect(run([{}, badCheckout, {}, {}]).delivered).toHaveLength(0);
    expect(
      run([{ web: ['request_rate'] }, { web: ['request_rate'] }, { web: ['request_rate'] }]).delivered,
    ).toHaveLength(0);
  });

  it('resolves when it clears: a resolved alert with the same fingerprint, and the firing range closed', () => {
    const { state, delivered } = run([badCheckout, badCheckout, badCheckout, {}]);
    expect(delivered.map((a) => `${a.service}:${a.status}`)).toEqual([
      'checkout:firing',
      'checkout:resolved',
    ]);
    expect(delivered[1]!.fingerprint).toBe(delivered[0]!.fingerprint);
    expect(delivered[1]!.endsAt).toBe(new Date(T0 + 15 * SEC).toISOString());
    expect(state.episodes).toEqual({});
    // Checkout's and web's baselines leave out the time they fired: from the onset less the recent window.
    expect(state.exclusions.checkout).toEqual([{ from: T0 - 5 * SEC, to: T0 + 15 * SEC }]);
    expect(state.exclusions.web).toEqual([{ from: T0 - 5 * SEC, to: T0 + 15 * SEC }]);
  });

  it('keeps owing an alert whose delivery failed, with the same identity', () => {
    let state = emptyDetectorState();
    for (const i of [0, 1])
      state = advance(
        state,
        { at: T0 + i * 5 * SEC, services: verdicts(badCheckout), dependencies: DEPS, errors: {} },
        SETTINGS,
      ).state;
    const first = outbox(state);
    state = advance(
      state,
      { at: T0 + 10 * SEC, services: verdicts(badCheckout), dependencies: DEPS, errors: {} },
      SETTINGS,
    ).state;
    expect(outbox(state)).toEqual(first); // not marked delivered: owed again, unchanged
    expect(outbox(markDelivered(state, first))).toEqual([]);
  });

  it('a payments outage seen on all three is one alert on payments; a victim becomes the root when its dependency recovers', () => {
    const all = { payments: ['error_ratio'], checkout: ['error_ratio'], web: ['error_ratio'] };
    const first = run([all, all]);
    expect(first.delivered.map((a) => [a.service, a.labels.victims])).toEqual([['payments', 'checkout,web']]);
    const later = run([{ web: ['error_ratio'] }], first.state);
    expect(later.delivered.map((a) => `${a.service}:${a.status}`)).toEqual([
      'web:firing',
      'payments:resolved',
    ]);
  });

  it('an unreadable service keeps its state; the query view shows baselines, pending and firing', () => {
    const { state } = run([badCheckout, badCheckout]);
    const next = advance(
      state,
      {
        at: T0 + 10 * SEC,
        services: verdicts({}).filter((v) => v.service !== 'checkout'),
        dependencies: DEPS,
        errors: { checkout: 'timeout' },
      },
      SETTINGS,
    ).state;
    expect(next.episodes.checkout).toBeDefined();
    const view = viewOf(next);
    expect(view.firing).toContainEqual({
      service: 'checkout',
      signal: 'error_ratio',
      since: new Date(T0).toISOString(),
    });
    expect(view.errors).toEqual({ checkout: 'timeout' });
    expect(view.baselines.map((b) => b.service)).not.toContain('checkout');
    expect(fingerprintOf({ service: 's', signal: 'x', onset: 1 })).toBe('detector/s/x/1');
  });

  it('forgets firing ranges no window reaches', () => {
    const { state } = run([badCheckout, badCheckout, {}]);
    const much = advance(
      state,
      { at: T0 + 1000 * SEC, services: verdicts({}), dependencies: DEPS, errors: {} },
      SETTINGS,
    ).state;
    expect(much.exclusions).toEqual({});
  });
});

import type { SafetyLimits } from './permits';

/**
 * Flapping protection: the same failure (root service + failure class) that returns soon after a
 * recovery is not healed again at once. Each return inside the window waits longer before acting
 * (base, doubling, capped), and past `maxBackoffs` returns a human decides: healing a failure that keeps
 * coming back hides its cause. Pure functions over the governor's state and the time, so the governor
 * stays deterministic and the schedule is tested without a server.
 */

export interface FlappingLimits {
  /** Recoveries of the same root + class remembered this long; a return inside it backs off. */
  windowSeconds: number;
  /** The wait before acting on the first return; doubled for each further return. */
  baseSeconds: number;
  capSeconds: number;
  /** Returns inside the window that back off and heal; the next one escalates to a human. */
  maxBackoffs: number;
}

/** 1, 2, 4, 8 minutes, then a human: "escalates after the 4th return within 30 minutes". */
export const DEFAULT_FLAPPING_LIMITS: FlappingLimits = {
  windowSeconds: 1800,
  baseSeconds: 60,
  capSeconds: 480,
  maxBackoffs: 4,
};

/**
 * The flapping limits an incident's safety limits carry. They travel inside the safety limits (as
 * optional fields: policies recorded before flapping protection lack them, and get the defaults).
 */
export function flappingLimits(safety: Partial<SafetyLimits> | undefined): FlappingLimits {
  const d = DEFAULT_FLAPPING_LIMITS;
  return {
    windowSeconds: safety?.flappingWindowSeconds ?? d.windowSeconds,
    baseSeconds: safety?.flappingBaseSeconds ?? d.baseSeconds,
    capSeconds: safety?.flappingCapSeconds ?? d.capSeconds,
    maxBackoffs: safety?.flappingMaxBackoffs ?? d.maxBackoffs,
  };
}

export type FlappingDecision =
  | { verdict: 'go'; detail: string }
  /** The `returns`-th return inside the window: wait `seconds`, look again, then act. */
  | { verdict: 'wait'; seconds: number; returns: number; reason: string }
  /** Returned too often: no action, a human decides. */
  | { verdict: 'escalate'; returns: number; reason: string };

/** What an incident about to act asks; `askId` makes a retried ask get the first answer. */
export interface FlappingAsk {
  askId: string;
  incidentId: string;
  rootService: string;
  failureClass: string;
  limits: FlappingLimits;
}

export interface Recovery {
  at: string;
  incidentId: string;
}

export interface FlappingState {
  /** `root|class` → recoveries inside the window, oldest first. */
  recoveries: Record<string, Recovery[]>;
  /** The newest answers by ask id (bounded). */
  answers: Array<{ askId: string; decision: FlappingDecision }>;
}

/** Answers remembered for retried asks; recoveries kept per failure (the window bounds them too). */
const ANSWERS_KEPT = 500;
const RECOVERIES_KEPT = 50;

export const emptyFlappingState = (): FlappingState => ({ recoveries: {}, answers: [] });
export const flappingKey = (rootService: string, failureClass: string): string =>
  `${rootService}|${failureClass}`;

/** The back-off before acting on the `returns`-th return (1-based): base × 2^(k-1), capped. */
export function backoffSeconds(returns: number, limits: FlappingLimits): number {
  return Math.min(limits.capSeconds, limits.baseSeconds * 2 ** Math.max(0, returns - 1));
}

const minutes = (seconds: number): string => (seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`);

/** The decision for a failure that recovered `returns` times inside the window. */
export function decideFlapping(
  returns: number,
  failure: { rootService: string; failureClass: string },
  limits: FlappingLimits,
): FlappingDecision {
  const what = `${failure.failureClass} on ${failure.rootService}`;
  if (returns === 0) return { verdict: 'go', detail: `${what} has not recovered lately` };
  const within = `within ${minutes(limits.windowSeconds)}`;
  if (returns > limits.maxBackoffs)
    return {
      verdict: 'escalate',
      returns,
      reason:
        `flapping: ${what} returned ${returns} times ${within} after each recovery; ` +
        `healing it again would hide its cause, a human decides — no action taken`,
    };
  const seconds = backoffSeconds(returns, limits);
  return {
    verdict: 'wait',
    seconds,
    returns,
    reason: `flapping: ${what} returned ${returns === 1 ? 'once' : `${returns} times`} ${within} of a recovery; backing off ${seconds} s before acting again`,
  };
}

/** Drops recoveries older than the window. */
export function pruneRecoveries(state: FlappingState, now: number, limits: FlappingLimits): void {
  for (const [key, list] of Object.entries(state.recoveries)) {
    const kept = list.filter((r) => now - Date.parse(r.at) < limits.windowSeconds * 1000);
    if (kept.length === 0) delete state.recoveries[key];
    else state.recoveries[key] = kept;
  }
}

/** The governor heard that an incident recovered its root service from a failure: remembered once. */
export function noteRecovery(
  state: FlappingState,
  recovered: { incidentId: string; rootService: string; failureClass: string },
  now: number,
  limits: FlappingLimits,
): void {
  pruneRecoveries(state, now, limits);
  const key = flappingKey(recovered.rootService, recovered.failureClass);
  const list = state.recoveries[key] ?? [];
  if (list.some((r) => r.incidentId === recovered.incidentId)) return;
  state.recoveries[key] = [
    ...list,
    { at: new Date(now).toISOString(), incidentId: recovered.incidentId },
  ].slice(-RECOVERIES_KEPT);
}

/**
 * Answers an incident about to act. The same ask id gets its first answer again (an activity retry);
 * the incident's own earlier recovery (a re-plan after recovering) never counts against it.
 */
export function askFlapping(state: FlappingState, ask: FlappingAsk, now: number): FlappingDecision {
  const earlier = state.answers.find((a) => a.askId === ask.askId);
  if (earlier) return earlier.decision;
  pruneRecoveries(state, now, ask.limits);
  const returns = (state.recoveries[flappingKey(ask.rootService, ask.failureClass)] ?? []).filter(
    (r) => r.incidentId !== ask.incidentId,
  ).length;
  const decision = decideFlapping(returns, ask, ask.limits);
  state.answers = [...state.answers, { askId: ask.askId, decision }].slice(-ANSWERS_KEPT);
  return decision;
}

/** Every limit a positive number (and whole back-offs): a clear message naming the field otherwise. */
export function invalidFlappingLimits(limits: FlappingLimits | undefined): string | undefined {
  if (!limits) return 'limits are required';
  for (const key of ['windowSeconds', 'baseSeconds', 'capSeconds', 'maxBackoffs'] as const) {
    const value = limits[key];
    if (typeof value !== 'number' || !(value > 0)) return `limits.${key} must be a positive number`;
  }
  if (!Number.isInteger(limits.maxBackoffs)) return 'limits.maxBackoffs must be a whole number';
  return undefined;
}

/** The lines `homeostat safety` prints: failures that recovered lately, and what their next return meets. */
export function formatFlapping(
  state: FlappingState | undefined,
  now: number,
  limits: FlappingLimits,
): string[] {
  const recent = Object.entries(state?.recoveries ?? {})
    .map(([key, list]) => ({
      key,
      count: list.filter((r) => now - Date.parse(r.at) < limits.windowSeconds * 1000).length,
    }))
    .filter((r) => r.count > 0);
  if (recent.length === 0) return [];
  return [
    `recovered lately (flapping protection, ${minutes(limits.windowSeconds)} window):`,
    ...recent.map(({ key, count }) => {
      const [root, failureClass] = key.split('|');
      const next = decideFlapping(count, { rootService: root!, failureClass: failureClass! }, limits);
      const meets =
        next.verdict === 'escalate' ? 'goes to a human' : `waits ${backoffSeconds(count, limits)} s`;
      return `  ${failureClass} on ${root}: ${count} recover${count === 1 ? 'y' : 'ies'}; its next return ${meets}`;
    }),
  ];
}

import type { Severity } from '../../core/model/alert';

/**
 * The demo's stand-in for Prometheus alerting rules: a plain threshold on a service-wide metric that
 * must hold for `forSeconds` before the alert fires (a later issue replaces these with baselines).
 */
export interface AlertRule {
  name: string;
  metric: string;
  op: '>' | '<';
  threshold: number;
  /** Judged on the mean of this many trailing seconds. */
  windowSeconds: number;
  forSeconds: number;
  severity: Severity;
  summary: string;
}

export const DEFAULT_RULES: AlertRule[] = [
  {
    name: 'HighErrorRate',
    metric: 'error_ratio',
    op: '>',
    threshold: 0.1,
    windowSeconds: 5,
    forSeconds: 3,
    severity: 'high',
    summary: 'more than 10% of requests fail',
  },
  {
    name: 'HighLatency',
    metric: 'latency_p95_ms',
    op: '>',
    threshold: 1500,
    windowSeconds: 5,
    forSeconds: 5,
    severity: 'warning',
    summary: 'p95 latency above 1.5 s',
  },
  {
    name: 'QueueBacklog',
    metric: 'queue_depth',
    op: '>',
    threshold: 200,
    windowSeconds: 5,
    forSeconds: 5,
    severity: 'warning',
    summary: 'the work queue is not draining',
  },
  {
    name: 'DeadLetters',
    metric: 'dead_letters',
    op: '>',
    threshold: 0,
    windowSeconds: 3,
    forSeconds: 3,
    severity: 'warning',
    summary: 'jobs are failing into the dead-letter list',
  },
];

export type RuleState =
  { phase: 'inactive' } | { phase: 'pending'; since: number } | { phase: 'firing'; since: number };

/**
 * One evaluation step of one rule for one service, as Prometheus does it: inactive → pending while the
 * condition holds → firing once it held for `forSeconds` → inactive (resolved) when it stops holding.
 * `value` NaN (no data) counts as not holding.
 */
export function step(
  rule: AlertRule,
  state: RuleState,
  value: number,
  now: number,
): { state: RuleState; event?: 'fired' | 'resolved' } {
  const holds = Number.isFinite(value) && (rule.op === '>' ? value > rule.threshold : value < rule.threshold);
  if (!holds) {
    return state.phase === 'firing'
      ? { state: { phase: 'inactive' }, event: 'resolved' }
      : { state: { phase: 'inactive' } };
  }
  if (state.phase === 'inactive')
    return rule.forSeconds <= 0 ? fire(now) : { state: { phase: 'pending', since: now } };
  if (state.phase === 'pending' && now - state.since >= rule.forSeconds * 1000) return fire(state.since);
  return { state };
}

const fire = (since: number) => ({ state: { phase: 'firing' as const, since }, event: 'fired' as const });

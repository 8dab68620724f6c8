import type {
  GrantedAction,
  PermitDecision,
  PermitRelease,
  PermitRequest,
  PermitState,
  SafetyLimits,
} from '../core/model/permits';

/**
 * The governor's permit rules: pure functions over its state and the current time, so the governor
 * workflow stays deterministic and the rules are tested without a server.
 */

const HOUR_MS = 3_600_000;
/**
 * A lease nobody renewed for this long belongs to an incident that died without releasing it (terminated
 * by hand): it stops counting against the blast radius.
 */
const LEASE_IDLE_MS = 2 * HOUR_MS;

/** Released incident ids remembered for de-duplication. */
const RELEASED_KEPT = 500;

const ms = (iso: string): number => Date.parse(iso);

/** Drops what no longer counts: actions older than an hour, old breaker failures, idle leases. */
export function prune(state: PermitState, now: number, limits: SafetyLimits): void {
  state.actions = state.actions.filter((a) => now - ms(a.at) < HOUR_MS);
  for (const [service, breaker] of Object.entries(state.breakers)) {
    breaker.failures = breaker.failures.filter((at) => now - ms(at) < limits.breakerWindowSeconds * 1000);
    if (breaker.failures.length === 0) delete state.breakers[service];
  }
  for (const [incident, lease] of Object.entries(state.leases)) {
    if (now - ms(lease.lastGrantAt) >= LEASE_IDLE_MS) delete state.leases[incident];
  }
}

export function breakerOpen(state: PermitState, service: string, limits: SafetyLimits): boolean {
  return (state.breakers[service]?.failures.length ?? 0) >= limits.breakerFailures;
}

/** Seconds until the oldest of `actions` leaves the rolling hour (at least 1). */
function untilOldestExpires(actions: GrantedAction[], now: number): number {
  const oldest = Math.min(...actions.map((a) => ms(a.at)));
  return Math.max(1, Math.ceil((oldest + HOUR_MS - now) / 1000));
}

/**
 * Decides a permit and, when it is granted, records it. Asking again for a granted permit returns
 * the grant without counting it twice (an activity retry, a worker crash between grant and act).
 */
export function decidePermit(state: PermitState, req: PermitRequest, now: number): PermitDecision {
  const limits = req.limits;
  prune(state, now, limits);
  const earlier = state.actions.find((a) => a.permitId === req.permitId);
  if (earlier) return { verdict: 'granted', detail: `granted at ${earlier.at} (asked again)` };

  const breaker = state.breakers[req.service];
  if (breakerOpen(state, req.service, limits) && !req.approvedBy) {
    return {
      verdict: 'needs-approval',
      reason:
        `the circuit breaker of ${req.service} is open: ${breaker!.failures.length} remediation(s) failed ` +
        `in the last ${Math.round(limits.breakerWindowSeconds / 60)} min` +
        (breaker!.lastConclusion ? ` (last: ${breaker!.lastConclusion})` : ''),
    };
  }

  const leased = new Set(
    Object.entries(state.leases)
      .filter(([incident]) => incident !== req.incidentId)
      .map(([, lease]) => lease.service),
  );
  if (
    !leased.has(req.service) &&
    !state.leases[req.incidentId] &&
    leased.size >= limits.maxConcurrentServices
  ) {
    return {
      verdict: 'wait',
      reason: `blast radius: ${leased.size} service(s) already under remediation (${[...leased].join(', ')}); the limit is ${limits.maxConcurrentServices}`,
      retryAfterSeconds: 15,
    };
  }

  const ofService = state.actions.filter((a) => a.service === req.service);
  if (ofService.length >= limits.maxActionsPerServicePerHour) {
    return {
      verdict: 'wait',
      reason: `rate limit: ${ofService.length} actions on ${req.service} in the last hour; the limit is ${limits.maxActionsPerServicePerHour}`,
      retryAfterSeconds: untilOldestExpires(ofService, now),
    };
  }
  if (state.actions.length >= limits.maxActionsPerHour) {
    return {
      verdict: 'wait',
      reason: `rate limit: ${state.actions.length} actions in the last hour; the limit is ${limits.maxActionsPerHour}`,
      retryAfterSeconds: untilOldestExpires(state.actions, now),
    };
  }

  const at = new Date(now).toISOString();
  state.actions.push({
    permitId: req.permitId,
    incidentId: req.incidentId,
    service: req.service,
    at,
    ...(req.approvedBy ? { approvedBy: req.approvedBy } : {}),
  });
  const lease = state.leases[req.incidentId];
  state.leases[req.incidentId] = { service: req.service, since: lease?.since ?? at, lastGrantAt: at };
  const overridden = breaker && req.approvedBy ? `; open breaker overridden by ${req.approvedBy}` : '';
  return {
    verdict: 'granted',
    detail: `action ${ofService.length + 1} of ${limits.maxActionsPerServicePerHour} on ${req.service} this hour${overridden}`,
  };
}

/**
 * An incident ended: its lease goes, and its result moves the breakers of the services it acted on.
 * A recovery closes the breaker (the half-open trial, approved by a human, worked); a failure counts.
 */
export function releasePermits(state: PermitState, rel: PermitRelease, now: number): void {
  prune(state, now, rel.limits);
  delete state.leases[rel.incidentId];
  if (state.released.includes(rel.incidentId)) return;
  state.released = [...state.released, rel.incidentId].slice(-RELEASED_KEPT);
  for (const service of rel.services) {
    if (rel.result === 'recovered') delete state.breakers[service];
    if (rel.result === 'failed') {
      const breaker = (state.breakers[service] ??= { failures: [] });
      breaker.failures.push(new Date(now).toISOString());
      breaker.lastConclusion = rel.conclusion.slice(0, 200);
    }
  }
}

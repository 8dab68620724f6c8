import { Counter, Histogram, type Registry } from 'prom-client';
import { countActions, NONE, type ClosedIncident } from './aggregate';

/** Reads the closed incidents the figures are computed from (bounded by the caller: window and count). */
export type ClosedIncidentReader = () => Promise<ClosedIncident[]>;

/** Listing memos is heavier than counting: one round serves the scrapes of this long. */
export const CLOSED_CACHE_MS = 15_000;
/** A scrape never waits longer than this on the listing; it then leaves these metrics out. */
const READ_TIMEOUT_MS = 5_000;

/** Time to recovery spans seconds to a day: buckets from one minute to a day. */
export const DURATION_BUCKETS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/**
 * Incident durations and actions as Prometheus metrics, recomputed at scrape from the closed incidents'
 * memos in Temporal (the same reading as `homeostat stats`), so they survive restarts and agree with it.
 * They are totals over the reader's window: an incident that ages out of it leaves them, which
 * Prometheus sees as a counter reset (rate() and increase() handle it).
 */
export function registerOutcomeMetrics(
  registry: Registry,
  read: ClosedIncidentReader,
  now: () => number = Date.now,
): void {
  let cached: { at: number; incidents: Promise<ClosedIncident[]> } | undefined;
  const incidents = (): Promise<ClosedIncident[]> => {
    if (cached && now() - cached.at < CLOSED_CACHE_MS) return cached.incidents;
    let timer: NodeJS.Timeout | undefined;
    const round = Promise.race([
      read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), READ_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    cached = { at: now(), incidents: round };
    round.catch(() => (cached = undefined)); // retried at the next scrape
    return round;
  };
  const memos = async () => {
    try {
      return (await incidents()).flatMap((i) => (i.memo ? [i.memo] : []));
    } catch {
      return null; // Temporal unreachable: no samples rather than a failed scrape
    }
  };

  new Histogram({
    name: 'homeostat_incident_duration_seconds',
    help: 'Closed incidents (last 30 days): time from opening to the end (to recovery, for recovered ones)',
    labelNames: ['failure_class', 'playbook', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
    async collect() {
      const closed = await memos();
      this.reset();
      for (const m of closed ?? [])
        this.observe(
          { failure_class: m.failureClass ?? NONE, playbook: m.playbook ?? NONE, outcome: m.outcome },
          m.durationSeconds,
        );
    },
  });
  new Counter({
    name: 'homeostat_actions_total',
    help: 'Actions of closed incidents (last 30 days) by kind and final step status (done, failed, compensated, …)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
    async collect() {
      const closed = await memos();
      this.reset();
      for (const a of countActions(closed ?? [])) this.inc({ kind: a.kind, result: a.result }, a.count);
    },
  });
}

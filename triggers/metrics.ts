import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OUTCOMES } from '../core/model/incidentState';
import { registerOutcomeMetrics, type ClosedIncidentReader } from '../client/stats/promMetrics';

/** A scrape never waits longer than this on Temporal. */
const COUNT_TIMEOUT_MS = 3000;
/** Incident counts are reused for this long (Prometheus scrapes every 15 s or more). */
const COUNT_CACHE_MS = 2000;

/** Counts the incidents matching a Temporal visibility query (the deployment's task queue is added). */
export type IncidentCounter = (query: string) => Promise<number>;

/**
 * The webhook server's own Prometheus metrics, on a registry per server (tests run several in one
 * process). Incidents by outcome are counted in Temporal's visibility store at each scrape, so they
 * survive restarts of this process and agree with what the Temporal UI shows.
 */
export class WebhookMetrics {
  readonly registry = new Registry();

  /**
   * `now` is the clock of the count cache (tests pass their own instead of waiting it out).
   * `readClosed` lists closed incidents with their outcome memos: durations and actions (client/stats).
   */
  constructor(
    countIncidents?: IncidentCounter,
    now: () => number = Date.now,
    readClosed?: ClosedIncidentReader,
  ) {
    if (readClosed) registerOutcomeMetrics(this.registry, readClosed, now);
    if (!countIncidents) return;
    const queries: Array<[string, string]> = [
      ['open', 'ExecutionStatus="Running"'],
      ...OUTCOMES.map((o): [string, string] => [o, `HomeostatOutcome="${o}"`]),
    ];
    // /metrics is unauthenticated: scrapes within COUNT_CACHE_MS share one round of counts, so a
    // caller hammering it cannot turn into load on Temporal's visibility store.
    let cached: { at: number; counts: Promise<number[]> } | undefined;
    const counts = (): Promise<number[]> => {
      if (cached && now() - cached.at < COUNT_CACHE_MS) return cached.counts;
      let timer: NodeJS.Timeout | undefined;
      const round = Promise.race([
        Promise.all(queries.map(([, q]) => countIncidents(q))),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), COUNT_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      cached = { at: now(), counts: round };
      round.catch(() => (cached = undefined)); // a failed round is retried at the next scrape
      return round;
    };
    new Gauge({
      name: 'homeostat_incidents',
      help: 'Incidents of this deployment in Temporal: open ones, and closed ones by outcome',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          const values = await counts();
          queries.forEach(([outcome], i) => this.set({ outcome }, values[i]!));
        } catch {
          // Temporal unreachable: no samples rather than a failed scrape (/readyz reports the outage).
        }
      },
    });
  }

  readonly requests = new Counter({
    name: 'homeostat_webhook_requests_total',
    help: 'Webhook requests by source and HTTP status',
    labelNames: ['source', 'status'] as const,
    registers: [this.registry],
  });

  readonly alerts = new Counter({
    name: 'homeostat_webhook_alerts_total',
    help: 'Alerts received by source and result (signalled, ignored: resolution of no open incident, duplicate)',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  });

  readonly intakeSeconds = new Histogram({
    name: 'homeostat_webhook_intake_seconds',
    help: 'Time from a request arriving to Temporal accepting its signals',
    labelNames: ['source'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly intakeFailures = new Counter({
    name: 'homeostat_webhook_intake_failures_total',
    help: 'Deliveries answered 503 because Temporal did not accept them in time',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
}

/**
 * How much work a replica can do at once. Each replica has a few request slots (its share of CPU or
 * worker threads) and each request holds one for a short, sleep-based service time: saturation is real
 * and measurable without burning the machine's CPU. A request waits briefly for a free slot, then gets
 * a 503 (overloaded). Waiting on a dependency holds no slot (an async server), so a slow dependency
 * shows as timeouts upstream, not as saturation.
 *
 * At the default load (30 rps on web, two primary replicas per service: 15 rps each) a replica's slots
 * are busy 15 × 20 ms / 4 ≈ 7.5% of the time.
 */
export const CAPACITY = {
  /** Requests a replica works on at once. */
  slots: 4,
  /** Local work of an ordinary request (`/`), before it calls its dependency. */
  serviceTimeMs: 20,
  /** How long a request may wait for a slot before it is refused with a 503. */
  queueWaitMs: 250,
  /** Requests that may wait at once; more are refused at once. */
  maxQueued: 64,
} as const;

/**
 * The read path: a catalog page served from the replica's cache, without calling the dependency. It
 * costs more local work than an order (a page to render), so a surge of readers saturates the service
 * and only it.
 */
export const CATALOG_PATH = '/catalog';
export const CATALOG_SERVICE_TIME_MS = 80;

/** The response header a replica names the cause of a failure in (services label errors by cause). */
export const ERROR_CAUSE_HEADER = 'x-fleet-error';
export type ErrorCause = 'timeout' | 'cache' | 'overload';
export const ERROR_CAUSES: readonly ErrorCause[] = ['timeout', 'cache', 'overload'];

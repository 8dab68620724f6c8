/**
 * A token bucket per notifier: `ratePerSecond` sends on average, `burst` at once. A receiver's
 * Retry-After closes the bucket until then, so the next events wait instead of being throttled too.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private closedUntil = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Milliseconds until a send may go (0: now), taking its token when it may. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    const closed = Math.max(0, this.closedUntil - now);
    if (closed > 0) return closed;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** Waits for a token (or until `signal` aborts). */
  async take(signal?: AbortSignal): Promise<void> {
    for (let wait = this.reserve(); wait > 0; wait = this.reserve()) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(signal!.reason as Error);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, wait);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /** The receiver asked for a pause (429 Retry-After): nothing is sent before it ends. */
  closeFor(seconds: number): void {
    this.closedUntil = Math.max(this.closedUntil, this.now() + seconds * 1000);
  }
}

/**
 * Remembers recently accepted deliveries so a retry (same delivery id, or byte-identical body) is
 * answered from memory instead of signalling the incident again. Concurrent duplicates share one
 * in-flight intake. A failed intake is forgotten, so the sender's retry is processed for real.
 * In-memory and per process: the workflow's own `alertIdentity` check is the durable guarantee.
 */
export class DeliveryDeduper<T> {
  private readonly entries = new Map<string, { result: Promise<T>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
  ) {}

  /** Runs `fn` unless `key` was accepted within the TTL; `duplicate` says which happened. */
  async run(key: string, fn: () => Promise<T>, now = Date.now()): Promise<{ result: T; duplicate: boolean }> {
    const existing = this.entries.get(key);
    if (existing && existing.expires > now) return { result: await existing.result, duplicate: true };
    this.evict(now);
    const result = fn();
    this.entries.set(key, { result, expires: now + this.ttlMs });
    try {
      return { result: await result, duplicate: false };
    } catch (err) {
      if (this.entries.get(key)?.result === result) this.entries.delete(key);
      throw err;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    // Map keeps insertion order, so the oldest entries are first.
    for (const [key, entry] of this.entries) {
      if (entry.expires > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

/**
 * Bounded in-memory metric history: one ring of (time, value) per series, sampled about once a second.
 * Capacity is in samples, so memory stays fixed however long the fleet runs.
 */
export type SliceKind = 'service' | 'release' | 'target' | 'pool';

export interface StoredSeries {
  metric: string;
  labels: { release?: string; target?: string; pool?: string };
  points: Array<[number, number]>;
}

class Ring {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private start = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(t: number, v: number): void {
    const index = (this.start + this.size) % this.capacity;
    this.times[index] = t;
    this.values[index] = v;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get lastTime(): number {
    return this.size === 0 ? 0 : this.times[(this.start + this.size - 1) % this.capacity]!;
  }

  *between(from: number, to: number): Generator<[number, number]> {
    for (let i = 0; i < this.size; i++) {
      const index = (this.start + i) % this.capacity;
      const t = this.times[index]!;
      if (t >= from && t <= to) yield [t, this.values[index]!];
    }
  }
}

interface Entry {
  metric: string;
  kind: SliceKind;
  labels: StoredSeries['labels'];
  ring: Ring;
}

export class SeriesStore {
  private readonly series = new Map<string, Map<string, Entry>>();

  constructor(private readonly capacity: number) {}

  record(service: string, metric: string, kind: SliceKind, label: string, t: number, value: number): void {
    if (!Number.isFinite(value)) return;
    let byKey = this.series.get(service);
    if (!byKey) this.series.set(service, (byKey = new Map()));
    const key = `${metric}|${kind}|${label}`;
    let entry = byKey.get(key);
    if (!entry) {
      const labels = kind === 'service' ? {} : { [kind]: label };
      entry = { metric, kind, labels, ring: new Ring(this.capacity) };
      byKey.set(key, entry);
    }
    entry.ring.push(t, value);
  }

  /** Forgets series that have had no sample for the whole window (replaced targets, old releases). */
  prune(olderThan: number): void {
    for (const byKey of this.series.values())
      for (const [key, entry] of byKey) if (entry.ring.lastTime < olderThan) byKey.delete(key);
  }

  /** Points averaged over `stepSeconds` buckets aligned to the epoch, oldest first. */
  query(
    service: string,
    metrics: readonly string[],
    from: number,
    to: number,
    stepSeconds: number,
    kinds: ReadonlySet<SliceKind>,
  ): StoredSeries[] {
    const stepMs = Math.max(1, stepSeconds) * 1000;
    const out: StoredSeries[] = [];
    for (const entry of this.series.get(service)?.values() ?? []) {
      if (!metrics.includes(entry.metric) || !kinds.has(entry.kind)) continue;
      const buckets = new Map<number, { sum: number; n: number }>();
      for (const [t, v] of entry.ring.between(from, to)) {
        const bucket = Math.floor(t / stepMs) * stepMs;
        const b = buckets.get(bucket) ?? { sum: 0, n: 0 };
        b.sum += v;
        b.n++;
        buckets.set(bucket, b);
      }
      const points = [...buckets.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([t, b]): [number, number] => [t, Math.round((b.sum / b.n) * 1000) / 1000]);
      if (points.length > 0) out.push({ metric: entry.metric, labels: entry.labels, points });
    }
    return out;
  }
}

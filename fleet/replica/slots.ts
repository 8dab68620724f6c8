/**
 * A replica's request slots: at most `slots` requests do their local work at once; the rest wait in
 * line (first come, first served) for at most `queueWaitMs`, and are refused when the line is full or
 * the wait runs out. Saturation is the share of slot time that was busy over the last second, so it
 * reads the same at 15 rps as at 150 and reaches 1 exactly when the replica cannot keep up.
 */
export class SlotPool {
  private busy = 0;
  private readonly waiting: Array<{ grant: () => void; timer: NodeJS.Timeout }> = [];
  /** Busy slot-milliseconds since the current 100 ms window began. */
  private busyMs = 0;
  private lastChange = performance.now();
  private windowStart = performance.now();
  /** Busy share of each of the last ten 100 ms windows. */
  private readonly windows: number[] = [];

  constructor(
    readonly slots: number,
    private readonly queueWaitMs: number,
    private readonly maxQueued: number,
  ) {
    setInterval(() => this.closeWindow(), 100).unref();
  }

  /** Resolves true when a slot is held (call `release` after), false when the request is refused. */
  acquire(): Promise<boolean> {
    if (this.busy < this.slots) {
      this.change(+1);
      return Promise.resolve(true);
    }
    if (this.waiting.length >= this.maxQueued) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          clearTimeout(entry.timer);
          resolve(true);
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          resolve(false);
        }, this.queueWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  /** Hands the slot to the next in line, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.change(-1);
  }

  /** Busy slots / capacity over the last second, 0..1. */
  saturation(): number {
    const recent = this.windows.length ? this.windows : [0];
    return Math.round((recent.reduce((a, b) => a + b, 0) / recent.length) * 1000) / 1000;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private account(now: number): void {
    this.busyMs += this.busy * (now - this.lastChange);
    this.lastChange = now;
  }

  private change(delta: number): void {
    this.account(performance.now());
    this.busy += delta;
  }

  private closeWindow(): void {
    const now = performance.now();
    this.account(now);
    const span = Math.max(1, now - this.windowStart);
    this.windows.push(Math.min(1, this.busyMs / (this.slots * span)));
    if (this.windows.length > 10) this.windows.shift();
    this.busyMs = 0;
    this.windowStart = now;
  }
}

/** Shared by the benchmarks: run operations with bounded concurrency and summarize their latencies. */

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface RunFigures {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `n` operations with `concurrency` in flight, timing each. */
export async function measure(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<RunFigures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: n / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * The named faults the demo and the tests inject, each with the action that heals it. Shared by the
 * control process (which applies them) and scripts/fault.ts (which lists and requests them).
 */
/** Extra catalog reads a traffic surge sends (two primaries serve at most 2 × 4 slots / 80 ms = 100 rps). */
export const SURGE_RPS = 120;
/** A traffic spike adds this share of the load generator's rate (at least SPIKE_MIN_RPS). */
export const SPIKE_FACTOR = 1;
export const SPIKE_MIN_RPS = 20;
/** An error burst fails this share of requests on every replica for `ms`, then stops by itself. */
export const ERROR_BURST = { ms: 2_000, errorRatio: 0.8 } as const;
/** The daily cycle: the load generator's rate × (1 + amplitude · sin(2πt / period)). */
export const DAILY_CYCLE = { periodSeconds: 120, amplitude: 0.5 } as const;

export const FAULT_SCENARIOS = [
  {
    name: 'bad-release',
    defaultService: 'checkout',
    description: 'a human deploys a new release that fails half of its requests',
    heals: 'setRelease(previous release) — roll back',
  },
  {
    name: 'memory-leak',
    defaultService: 'checkout',
    description: 'one replica leaks ~5 MB/s until the memory limit kills it (~25 s)',
    heals: 'restart (the leaking target)',
  },
  {
    name: 'hang',
    defaultService: 'checkout',
    description: 'one replica stops answering while its process stays alive',
    heals: 'restart (the hung target)',
  },
  {
    name: 'dependency-outage',
    defaultService: 'payments',
    description: "the service's primary pool stops answering; its callers see timeouts",
    heals: 'setWeights to the standby pool, or restart of the service',
  },
  {
    name: 'queue-backlog',
    defaultService: 'checkout',
    description: 'job consumers slow down (150 ms a job) and fall behind; queue depth grows',
    heals: 'scale up',
  },
  {
    name: 'corrupted-cache',
    defaultService: 'checkout',
    description: "every replica's cache holds corrupt entries; requests that hit them fail",
    heals: 'clearCache',
  },
  {
    name: 'failed-jobs',
    defaultService: 'checkout',
    description: 'about 30 jobs fail and land in the dead-letter list',
    heals: 'replayDeadLetters',
  },
  {
    name: 'network-timeout',
    defaultService: 'payments',
    description:
      "the network path to the primary pool is slower than the callers' timeout; replicas stay healthy",
    heals: 'setWeights to the standby pool',
  },
  {
    name: 'traffic-surge',
    defaultService: 'checkout',
    description: `${SURGE_RPS} rps of extra catalog reads (no dependency call) saturate the service`,
    heals: 'scale out (3 → 6 replicas relieves the default surge)',
  },
  {
    name: 'traffic-spike',
    defaultService: 'web',
    description: 'twice the usual traffic, which the fleet absorbs (benign: no saturation, no errors)',
    heals: 'nothing to heal; clear it to end it',
  },
  {
    name: 'error-burst',
    defaultService: 'checkout',
    description: `one ${ERROR_BURST.ms / 1000} s burst of errors, then healthy by itself (benign)`,
    heals: 'nothing: it ends by itself',
  },
  {
    name: 'daily-cycle',
    defaultService: 'web',
    description: `the load follows a ${DAILY_CYCLE.periodSeconds} s sinusoid, ±${DAILY_CYCLE.amplitude * 100}% (a time-compressed day; benign)`,
    heals: 'nothing to heal; clear it to end it',
  },
] as const;

export type FaultScenarioName = (typeof FAULT_SCENARIOS)[number]['name'];
export const FAULT_NAMES = FAULT_SCENARIOS.map((s) => s.name) as [FaultScenarioName, ...FaultScenarioName[]];

/** Faults a replica process carries in memory: a restart of that replica clears them. */
export type ReplicaFault =
  | { kind: 'leak'; mbPerSecond: number }
  | { kind: 'hang' }
  | { kind: 'corrupt-cache' }
  | { kind: 'fail-jobs'; count: number }
  | { kind: 'error-burst'; ms: number; errorRatio: number };

export const MEMORY_LIMIT_MB = 160;
export const SLOW_JOB_COST_MS = 150;
export const FAILED_JOBS_TOTAL = 30;

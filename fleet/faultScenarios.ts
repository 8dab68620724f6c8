/**
 * The named faults the demo and the tests inject, each with the action that heals it. Shared by the
 * control process (which applies them) and scripts/fault.ts (which lists and requests them).
 */
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
] as const;

export type FaultScenarioName = (typeof FAULT_SCENARIOS)[number]['name'];
export const FAULT_NAMES = FAULT_SCENARIOS.map((s) => s.name) as [FaultScenarioName, ...FaultScenarioName[]];

/** Faults a replica process carries in memory: a restart of that replica clears them. */
export type ReplicaFault =
  | { kind: 'leak'; mbPerSecond: number }
  | { kind: 'hang' }
  | { kind: 'corrupt-cache' }
  | { kind: 'fail-jobs'; count: number };

export const MEMORY_LIMIT_MB = 160;
export const SLOW_JOB_COST_MS = 150;
export const FAILED_JOBS_TOTAL = 30;

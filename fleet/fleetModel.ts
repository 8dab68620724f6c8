import { z } from 'zod';

/**
 * The fleet's persisted state and the shapes it shares between the control process, its API and the
 * provider adapter. Everything that must survive a restart of the control process lives in FleetState.
 */

/** How a release behaves when it serves: a faulty release is just a release with a bad behaviour. */
export const behaviourSchema = z.object({
  /** Share of requests the release fails with a 500, 0..1. */
  errorRatio: z.number().min(0).max(1).default(0),
  /** Extra latency the release adds to every request. */
  latencyMs: z.number().int().min(0).max(10_000).default(0),
});
export type Behaviour = z.infer<typeof behaviourSchema>;
export const HEALTHY_BEHAVIOUR: Behaviour = { errorRatio: 0, latencyMs: 0 };

export const POOLS = ['primary', 'standby'] as const;
export type Pool = (typeof POOLS)[number];

export interface TargetState {
  id: string;
  pool: Pool;
  release: string;
}

export interface Job {
  id: string;
  /** Epoch ms the job was first enqueued. */
  at: number;
  attempts: number;
}

/** Service-wide conditions that outlive a replica restart (the cause is outside the replica). */
export interface ServiceConditions {
  /** Job processing cost while consumers are slow (queue-backlog). */
  slowJobCostMs?: number;
  /** The network path from the proxy to one pool is this slow (network-timeout). */
  slowNetwork?: { pool: Pool; delayMs: number };
  /** Extra catalog reads a second on this service (traffic-surge). */
  surgeRps?: number;
  /** Extra ordinary requests a second on this service (traffic-spike). */
  spikeRps?: number;
  /** The load generator's rate follows a sinusoid from `since` (daily-cycle; the entry service only). */
  dailyCycle?: { periodSeconds: number; amplitude: number; since: number };
}

export interface ServiceState {
  name: string;
  targets: TargetState[];
  weights: Record<Pool, number>;
  desiredCount: number;
  /** Next slot number for a new target id. */
  nextSlot: number;
  /** Behaviour of every release this service has run; a release's behaviour is fixed when first deployed. */
  releases: Record<string, Behaviour>;
  conditions: ServiceConditions;
}

export interface DeploymentRecord {
  id: string;
  service: string;
  release: string;
  previousRelease?: string;
  at: string;
  targets: string[];
  by: string;
}

export type ActionStatus = 'running' | 'succeeded' | 'failed';

export interface ActionResult {
  applied: boolean;
  summary: string;
  before: { release?: Record<string, string>; weights?: Record<string, number>; desiredCount?: number };
  after: { release?: Record<string, string>; weights?: Record<string, number>; desiredCount?: number };
}

export interface LedgerEntry {
  id: string;
  kind: string;
  service: string;
  /** What it acts on: the service, or `service/target,…` when the request names targets. */
  target: string;
  /** Request parameters, so a repeated id with different intent is recognised. */
  params: Record<string, unknown>;
  at: string;
  status: ActionStatus;
  progress?: string;
  finishedAt?: string;
  result?: ActionResult;
  error?: string;
}

export interface FleetState {
  version: 1;
  services: Record<string, ServiceState>;
  deployments: DeploymentRecord[];
  ledger: LedgerEntry[];
  deadLetters: Record<string, Job[]>;
  queues: Record<string, Job[]>;
}

/** Action ids are idempotency keys chosen by callers: printable, bounded, no spaces. */
export const actionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,159}$/, 'letters, digits and . _ : @ / - only, 1-160 characters');

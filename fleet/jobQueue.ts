import { randomUUID } from 'node:crypto';
import type { FleetState, Job } from './fleetModel';
import type { ReplicaProcess } from './replicaProcess';

const BATCH = 10;
const QUEUE_LIMIT = 20_000;
const NORMAL_JOB_COST_MS = 5;

/**
 * The fleet's broker (SQS-like) for services that consume jobs: every successful request produces one
 * job; each healthy replica pulls batches and reports which jobs failed. Failed jobs go to the service's
 * dead-letter list (persisted) until someone replays them.
 */
export class JobQueues {
  private readonly busy = new Set<string>();
  /** Batches handed to a replica and not yet answered, by replica id. */
  private readonly inFlight = new Map<string, Job[]>();
  /** Rotates which replica is offered work first, so every consumer gets its share. */
  private turn = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly state: FleetState,
    private readonly replicasOf: (service: string) => readonly ReplicaProcess[],
    private readonly markDirty: () => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.dispatch(), 100);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private queue(service: string): Job[] {
    return (this.state.queues[service] ??= []);
  }

  private dead(service: string): Job[] {
    return (this.state.deadLetters[service] ??= []);
  }

  enqueue(service: string): void {
    const queue = this.queue(service);
    if (queue.length >= QUEUE_LIMIT) return; // a full queue rejects, as a bounded broker does
    queue.push({ id: randomUUID(), at: Date.now(), attempts: 0 });
    this.markDirty();
  }

  depth(service: string): number {
    return this.state.queues[service]?.length ?? 0;
  }

  deadLetterCount(service: string): number {
    return this.state.deadLetters[service]?.length ?? 0;
  }

  /**
   * Drops the service's backlog and dead letters (a fleet reset). New arrays, so a batch in flight that
   * comes back unconsumed returns to the old queue and is dropped with it.
   */
  clear(service: string): { queued: number; dead: number } {
    const dropped = { queued: this.depth(service), dead: this.deadLetterCount(service) };
    this.state.queues[service] = [];
    this.state.deadLetters[service] = [];
    this.markDirty();
    return dropped;
  }

  /** Moves up to `max` dead letters (oldest first) back to the front of the queue; returns their ids. */
  replay(service: string, max: number): string[] {
    const dead = this.dead(service);
    const jobs = dead.splice(0, Math.min(max, dead.length));
    this.queue(service).unshift(...jobs);
    this.markDirty();
    return jobs.map((j) => j.id);
  }

  /** Of these job ids, how many are still waiting or being processed, and how many are dead again. */
  whereAre(service: string, ids: readonly string[]): { pending: number; dead: number } {
    const wanted = new Set(ids);
    const count = (jobs: readonly Job[]): number => jobs.filter((j) => wanted.has(j.id)).length;
    const inFlight = [...this.inFlight.values()].flat();
    return {
      pending: count(this.state.queues[service] ?? []) + count(inFlight),
      dead: count(this.state.deadLetters[service] ?? []),
    };
  }

  private dispatch(): void {
    for (const service of Object.keys(this.state.services)) {
      const queue = this.state.queues[service];
      if (!queue?.length) continue;
      const cost = this.state.services[service]?.conditions.slowJobCostMs ?? NORMAL_JOB_COST_MS;
      const replicas = this.replicasOf(service);
      const offset = this.turn++ % Math.max(1, replicas.length);
      for (const replica of [...replicas.slice(offset), ...replicas.slice(0, offset)]) {
        if (!replica.healthy || this.busy.has(replica.id) || queue.length === 0) continue;
        const batch = queue.splice(0, BATCH);
        this.busy.add(replica.id);
        this.inFlight.set(replica.id, batch);
        replica
          .post('/_jobs', { jobs: batch, costMs: cost }, batch.length * cost + 3_000)
          .then((reply) => {
            const failed = new Set((reply as { failed?: string[] }).failed ?? []);
            for (const job of batch)
              if (failed.has(job.id)) this.dead(service).push({ ...job, attempts: job.attempts + 1 });
          })
          .catch(() => queue.unshift(...batch)) // the replica died or hung: nothing was consumed
          .finally(() => {
            this.busy.delete(replica.id);
            this.inFlight.delete(replica.id);
            this.markDirty();
          });
      }
    }
  }
}

// Over 300 lines on purpose: the Fleet class owns the replicas, their state and the action ledger as
// one unit, so every change to the fleet goes through one place that persists it; the actions
// themselves live in fleetActions.ts, faultActions.ts and operations.ts.
import type {
  ActionResult,
  Behaviour,
  DeploymentRecord,
  FleetState,
  LedgerEntry,
  ServiceState,
  TargetState,
} from './fleetModel';
import { HEALTHY_BEHAVIOUR } from './fleetModel';
import { FleetInputError } from './fleetErrors';
import { ActionLedger } from './ledger';
import { JobQueues } from './jobQueue';
import { MetricsSampler } from './metricsSampler';
import { ServiceProxy } from './proxy';
import { ProxyMetrics } from './proxyMetrics';
import type { ReplicaCommand } from './replicaBundle';
import { HEALTH_CHECK_SECONDS, ReplicaProcess } from './replicaProcess';
import { CATALOG_PATH } from './capacity';
import { SeriesStore } from './seriesStore';
import { ENTRY_SERVICE, SERVICE_SPECS, serviceSpec } from './services';
import type { StateStore } from './stateStore';
import { Traffic } from './traffic';

export const MAX_REPLICAS = 12;
/** The `service` of an action on the whole fleet (a reset): it waits for, and holds, every service. */
export const WHOLE_FLEET = 'fleet';
const QUEUE_SAVE_INTERVAL_MS = 5_000;

export interface FleetOptions {
  loadRps: number;
  /** How long metric history is kept, in seconds (one sample a second). */
  windowSeconds: number;
  /** Replicas a service starts with; a reset returns each service to this count. */
  replicasPerService: number;
}

export type Progress = (detail: string) => void;

/**
 * The fleet: its services' replicas, proxies, queues and metrics, and every action on them. Each action
 * is recorded in the ledger before it acts and runs one at a time per service; the state file is
 * written whenever the desired state changes.
 */
export class Fleet {
  readonly ledger: ActionLedger;
  readonly series: SeriesStore;
  readonly queues: JobQueues;
  readonly proxyUrls: Record<string, string> = {};
  readonly prometheus = new ProxyMetrics();
  private readonly replicas = new Map<string, ReplicaProcess[]>();
  private readonly proxies: ServiceProxy[] = [];
  private readonly sampler: MetricsSampler;
  private readonly serial = new Map<string, Promise<unknown>>();
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly traffic: Traffic;
  private dirty = false;
  private lastSave = 0;

  constructor(
    readonly state: FleetState,
    private readonly store: StateStore,
    private readonly command: ReplicaCommand,
    readonly options: FleetOptions,
  ) {
    this.ledger = new ActionLedger(state, () => this.persist());
    this.series = new SeriesStore(options.windowSeconds);
    this.queues = new JobQueues(
      state,
      (s) => this.replicasOf(s),
      () => (this.dirty = true),
    );
    this.sampler = new MetricsSampler(
      state,
      this.series,
      this.queues,
      (s) => this.replicasOf(s),
      () => this.flushIfDirty(),
      options.windowSeconds * 1000,
      this.prometheus,
    );
    this.traffic = new Traffic(state, options.loadRps);
  }

  replicasOf(service: string): readonly ReplicaProcess[] {
    return this.replicas.get(service) ?? [];
  }

  /** Writes the state now: every change of desired state, ledger or deployments calls this. */
  persist(): void {
    this.dirty = false;
    this.lastSave = Date.now();
    this.store.save(this.state);
  }

  /** Queue churn (a job a request) is saved at most every few seconds, not on every change. */
  private flushIfDirty(): void {
    if (this.dirty && Date.now() - this.lastSave >= QUEUE_SAVE_INTERVAL_MS) this.persist();
  }

  async start(): Promise<void> {
    // Actions cut short by a restart of the control process are reported, not silently redone.
    for (const entry of this.state.ledger)
      if (entry.status === 'running')
        this.ledger.fail(
          entry,
          'interrupted by a restart of the control process; the fleet kept its last state',
        );
    for (const spec of SERVICE_SPECS) {
      if (!this.state.services[spec.name]) throw new Error(`state has no service ${spec.name}`);
      const proxy = new ServiceProxy({
        service: spec.name,
        timeoutMs: spec.proxyTimeoutMs,
        replicas: () => this.replicasOf(spec.name),
        weights: () => this.service(spec.name).weights,
        networkDelayMs: (pool) => {
          const slow = this.service(spec.name).conditions.slowNetwork;
          return slow?.pool === pool ? slow.delayMs : 0;
        },
        onOutcome: (outcome) => {
          this.sampler.record(spec.name, outcome);
          // An order produces a job; reading the catalog does not.
          if (spec.hasQueue && outcome.status < 300 && outcome.target && outcome.path !== CATALOG_PATH)
            this.queues.enqueue(spec.name);
        },
      });
      this.proxies.push(proxy);
      this.proxyUrls[spec.name] = await proxy.listen();
    }
    await Promise.all(
      SERVICE_SPECS.map(async (spec) => {
        const started = await Promise.all(
          this.service(spec.name).targets.map((t) => this.spawnReplica(spec.name, t)),
        );
        this.replicas.set(spec.name, started);
      }),
    );
    this.sampler.start();
    this.queues.start();
    this.traffic.start(ENTRY_SERVICE, this.proxyUrls);
    this.persist();
  }

  async stop(): Promise<void> {
    this.traffic.stop();
    this.sampler.stop();
    this.queues.stop();
    // Let running actions finish briefly; the processes they wait on are about to stop anyway.
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise((r) => setTimeout(r, 5_000)),
    ]);
    await Promise.all([...this.replicas.values()].flat().map((r) => r.stop()));
    await Promise.all(this.proxies.map((p) => p.close()));
    this.persist();
  }

  // ---- reading ---------------------------------------------------------------------------------

  service(name: string): ServiceState {
    const service = this.state.services[name];
    if (!service)
      throw new FleetInputError(
        `unknown service ${name}; known: ${Object.keys(this.state.services).join(', ')}`,
        'service',
        404,
      );
    return service;
  }

  describe(name: string): Record<string, unknown> {
    const service = this.service(name);
    const spec = serviceSpec(name);
    return {
      service: name,
      targets: this.replicasOf(name).map((r) => ({
        id: r.id,
        release: r.spec.release,
        healthy: r.healthy,
        pool: r.spec.pool,
        pid: r.pid,
        url: r.url,
        exited: r.exitedWith,
      })),
      weights: service.weights,
      desiredCount: service.desiredCount,
      dependencies: spec?.dependencies ?? [],
      healthCheckSeconds: HEALTH_CHECK_SECONDS,
      proxyUrl: this.proxyUrls[name],
      conditions: service.conditions,
      queueDepth: spec?.hasQueue ? this.queues.depth(name) : undefined,
      deadLetters: spec?.hasQueue ? this.queues.deadLetterCount(name) : undefined,
    };
  }

  deployments(name: string, since: number): DeploymentRecord[] {
    this.service(name);
    return this.state.deployments.filter((d) => d.service === name && Date.parse(d.at) >= since);
  }

  // ---- running actions ------------------------------------------------------------------------

  /**
   * Runs an action once per id. An id seen before returns its first entry and runs nothing (a reused id
   * with another intent is a 409). Otherwise `prepare` validates the request — throwing FleetInputError
   * before anything is recorded — and returns the work, which runs after any earlier action on the same
   * service (after every service's for WHOLE_FLEET) and is recorded in the ledger before it starts.
   */
  act(
    actionId: string,
    kind: string,
    service: string,
    params: Record<string, unknown>,
    prepare: () => (progress: Progress) => Promise<ActionResult>,
  ): { entry: LedgerEntry; done: Promise<unknown> } {
    const seen = this.ledger.get(actionId);
    if (seen) {
      if (seen.kind !== kind || seen.service !== service)
        throw new FleetInputError(
          `action id ${actionId} was already used for ${seen.kind} on ${seen.service}; use a new id`,
          'actionId',
          409,
        );
      return { entry: seen, done: this.running.get(actionId) ?? Promise.resolve() };
    }
    const scope = service === WHOLE_FLEET ? Object.keys(this.state.services) : [service];
    if (service !== WHOLE_FLEET) this.service(service);
    const run = prepare();
    const { entry } = this.ledger.begin(actionId, kind, service, params);
    const previous = Promise.all(scope.map((s) => (this.serial.get(s) ?? Promise.resolve()).catch(() => 0)));
    const done = previous
      .then(() => run((detail) => this.ledger.progress(entry, detail)))
      .then(
        (result) => this.ledger.succeed(entry, result),
        (err: unknown) => this.ledger.fail(entry, err instanceof Error ? err.message : String(err)),
      )
      .finally(() => this.running.delete(actionId));
    for (const s of scope) this.serial.set(s, done);
    this.running.set(actionId, done);
    return { entry, done };
  }

  releasesOf(service: string): Record<string, string> {
    return Object.fromEntries(this.service(service).targets.map((t) => [t.id, t.release]));
  }

  /** Checks target ids exist; all of the service's targets when absent. */
  resolveTargets(service: string, ids: readonly string[] | undefined): TargetState[] {
    const targets = this.service(service).targets;
    if (!ids) return [...targets];
    return ids.map((id, i) => {
      const target = targets.find((t) => t.id === id);
      if (!target)
        throw new FleetInputError(
          `unknown target ${id} of ${service}; known: ${targets.map((t) => t.id).join(', ')}`,
          `targets.${i}`,
        );
      return target;
    });
  }

  private spec(service: string, target: TargetState): ConstructorParameters<typeof ReplicaProcess>[0] {
    const spec = serviceSpec(service)!;
    const dependency = spec.dependencies[0];
    const behaviour: Behaviour = this.service(service).releases[target.release] ?? HEALTHY_BEHAVIOUR;
    return {
      service,
      target: target.id,
      pool: target.pool,
      release: target.release,
      behaviour,
      downstreamUrl: dependency ? this.proxyUrls[dependency] : undefined,
      // A caller waits a little longer than its dependency's proxy, so it sees the proxy's 504.
      downstreamTimeoutMs: dependency ? serviceSpec(dependency)!.proxyTimeoutMs + 500 : 1_000,
    };
  }

  private async spawnReplica(service: string, target: TargetState): Promise<ReplicaProcess> {
    const replica = new ReplicaProcess(this.spec(service, target), this.command);
    await replica.start();
    return replica;
  }

  /**
   * Replaces one target's process with a fresh one running `release` (surge: the new one is healthy
   * before the old one stops), then records the target's release in the state.
   */
  async replaceTarget(service: string, targetId: string, release: string): Promise<void> {
    const target = this.service(service).targets.find((t) => t.id === targetId);
    if (!target) throw new Error(`target ${targetId} of ${service} is gone`);
    const fresh = await this.spawnReplica(service, { ...target, release });
    const list = this.replicas.get(service) ?? [];
    const old = list.find((r) => r.id === targetId);
    this.replicas.set(service, [...list.filter((r) => r.id !== targetId), fresh].sort(bySlot));
    target.release = release;
    this.persist();
    await old?.stop();
  }

  /** Starts new targets (in parallel) and adds them to the service once all are healthy. */
  async addTargets(service: string, targets: TargetState[]): Promise<void> {
    const started = await Promise.all(targets.map((t) => this.spawnReplica(service, t)));
    this.service(service).targets.push(...targets);
    this.replicas.set(service, [...this.replicasOf(service), ...started].sort(bySlot));
    this.persist();
  }

  /** Takes targets out of the service (the proxy stops sending them traffic) and stops their processes. */
  async removeTargets(service: string, ids: readonly string[]): Promise<void> {
    const state = this.service(service);
    state.targets = state.targets.filter((t) => !ids.includes(t.id));
    const gone = this.replicasOf(service).filter((r) => ids.includes(r.id));
    this.replicas.set(
      service,
      this.replicasOf(service).filter((r) => !gone.includes(r)),
    );
    this.persist();
    await Promise.all(gone.map((r) => r.stop()));
  }

  liveReplicas(service: string, targets?: TargetState[]): ReplicaProcess[] {
    const ids = targets?.map((t) => t.id);
    return this.replicasOf(service).filter((r) => r.alive && (!ids || ids.includes(r.id)));
  }
}

/** The number at the end of a target id (`checkout-3` → 3): newer targets have higher slots. */
export function slot(id: string): number {
  return Number(/-(\d+)$/.exec(id)?.[1] ?? 0);
}

function bySlot(a: ReplicaProcess, b: ReplicaProcess): number {
  return slot(a.id) - slot(b.id);
}

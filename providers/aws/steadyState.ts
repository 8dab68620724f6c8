import { sleep } from '../abort';
import { ProviderError } from '../types';
import type { AwsCellConfig } from '../../core/model/awsConfig';
import type { AwsClients } from './clients';
import { primaryDeployment, readCells, type CellState } from './cellState';

/** What a cell must look like before an action on it counts as finished. */
export interface SteadyWant {
  taskDefinition?: string;
  desiredCount?: number;
  /** A restart is under way only once the primary deployment is no longer this one. */
  replacedDeployment?: string;
}

/**
 * Why the cell is not (yet) steady, or undefined when it is. Steady means: the service is on the wanted
 * task definition and count, exactly one deployment is left (ECS removes the old one when the rollout
 * is done), that deployment's rolloutState is COMPLETED, and runningCount == desiredCount.
 *
 * We compare the *service's* taskDefinition, not the primary deployment's: on ECS they are the same
 * once UpdateService returns, but moto keeps the deployment record from CreateService (its task
 * definition and rollout state never change), so only the service-level fields move there.
 */
export function steadyProblem(state: CellState, want: SteadyWant = {}): string | undefined {
  const primary = primaryDeployment(state);
  // The circuit breaker marks the failed deployment FAILED and rolls back with a new PRIMARY; either way
  // the release we wait for will not arrive.
  const failed = state.deployments.find(
    (d) =>
      d.rolloutState === 'FAILED' &&
      (d.status === 'PRIMARY' ||
        (want.taskDefinition !== undefined && d.taskDefinition === want.taskDefinition)),
  );
  if (failed) {
    throw new ProviderError(
      `cell ${state.cell.name}: ECS rollout of ${shortRelease(failed.taskDefinition ?? '?')} failed ` +
        `(${failed.rolloutStateReason ?? 'no reason given'})`,
      'RolloutFailed',
      false,
    );
  }
  if (want.taskDefinition && state.taskDefinition !== want.taskDefinition) {
    return `on ${shortRelease(state.taskDefinition)}, not ${shortRelease(want.taskDefinition)}`;
  }
  if (want.desiredCount !== undefined && state.desiredCount !== want.desiredCount) {
    return `desired ${state.desiredCount}, not ${want.desiredCount}`;
  }
  if (want.replacedDeployment && primary?.id === want.replacedDeployment) return 'new deployment not started';
  if (state.deployments.length > 1) return `${state.deployments.length} deployments in flight`;
  if (primary?.rolloutState && primary.rolloutState !== 'COMPLETED') return `rollout ${primary.rolloutState}`;
  if (state.runningCount !== state.desiredCount || state.pendingCount > 0) {
    return `running ${state.runningCount} of ${state.desiredCount} (${state.pendingCount} pending)`;
  }
  return undefined;
}

/** `family:revision` of a task definition ARN, for messages. */
export function shortRelease(taskDefinition: string): string {
  return taskDefinition.split('/').pop() ?? taskDefinition;
}

/** The wait's clock: real time unless a test passes one that moves only when the wait sleeps. */
export interface WaitClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: WaitClock = { now: () => Date.now(), sleep };

export interface WaitOptions {
  pollMs: number;
  timeoutMs: number;
  clock?: WaitClock;
  onProgress?: (detail: string) => void;
  /** Stops the wait at once (between polls too), ending it with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Polls until every cell is steady, reporting progress on each round (the activity heartbeats on its own
 * ticker with the latest detail, so the poll interval never decides the heartbeat gap). A wait that
 * outlasts the timeout is not retried: a rollout stuck that long needs a human. The last sleep ends at
 * the deadline, so the wait never exceeds `timeoutMs` by more than one read of the cells — the bound
 * `maxActionSeconds` (index.ts) relies on.
 */
export async function waitForSteady(
  clients: AwsClients,
  wants: ReadonlyArray<{ cell: AwsCellConfig; want: SteadyWant }>,
  opts: WaitOptions,
): Promise<CellState[]> {
  if (wants.length === 0) return [];
  const clock = opts.clock ?? REAL_CLOCK;
  const deadline = clock.now() + opts.timeoutMs;
  for (;;) {
    const states = await readCells(
      clients,
      wants.map((w) => w.cell),
      opts.signal,
    );
    const problems = states
      .map((s, i) => [s.cell.name, steadyProblem(s, wants[i]!.want)] as const)
      .filter(([, p]) => p !== undefined);
    if (problems.length === 0) return states;
    const detail = `waiting for steady state: ${problems.map(([c, p]) => `${c} ${p}`).join('; ')}`;
    if (clock.now() >= deadline) {
      throw new ProviderError(
        `${detail} — gave up after ${Math.round(opts.timeoutMs / 1000)} s`,
        'SteadyStateTimeout',
        false,
      );
    }
    opts.onProgress?.(detail);
    await clock.sleep(Math.min(opts.pollMs, Math.max(0, deadline - clock.now())), opts.signal);
  }
}

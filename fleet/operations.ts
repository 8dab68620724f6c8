import type { Fleet, Progress } from './fleet';
import { slot } from './fleet';
import type { ActionResult, Pool, TargetState } from './fleetModel';
import { POOLS } from './fleetModel';
import { serviceSpec } from './services';

/**
 * What the fleet's actions do to replicas and traffic, each reporting before/after in the terms its
 * compensation needs. Check before act: an action whose end state already holds reports applied=false.
 */

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Rolls `release` onto the targets one at a time; records a deployment when anything changes. */
export async function rollOut(
  fleet: Fleet,
  service: string,
  change: { release: string; targets: TargetState[]; by: string; deploymentId: string },
  progress: Progress,
): Promise<ActionResult> {
  const { release } = change;
  const before = fleet.releasesOf(service);
  const changing = change.targets.filter((t) => t.release !== release);
  if (changing.length === 0)
    return {
      applied: false,
      summary: `${service} already runs ${release} on those targets`,
      before: { release: before },
      after: { release: before },
    };
  const previous = mostCommon(changing.map((t) => t.release));
  fleet.state.deployments.push({
    id: change.deploymentId,
    service,
    release,
    previousRelease: previous,
    at: new Date().toISOString(),
    targets: changing.map((t) => t.id),
    by: change.by,
  });
  if (fleet.state.deployments.length > 1_000) fleet.state.deployments.shift();
  fleet.persist();
  for (const [i, target] of changing.entries()) {
    progress(`${service}: starting ${release} on ${target.id} (${i + 1}/${changing.length})`);
    await fleet.replaceTarget(service, target.id, release);
  }
  return {
    applied: true,
    summary: `${service}: ${release} runs on ${changing.map((t) => t.id).join(', ')} (was ${previous})`,
    before: { release: before },
    after: { release: fleet.releasesOf(service) },
  };
}

/** Replaces each target's process with a fresh one on the same release, one at a time. */
export async function restartTargets(
  fleet: Fleet,
  service: string,
  targets: TargetState[],
  progress: Progress,
): Promise<ActionResult> {
  const before = fleet.releasesOf(service);
  const desiredCount = fleet.service(service).desiredCount;
  for (const [i, target] of targets.entries()) {
    progress(`${service}: restarting ${target.id} (${i + 1}/${targets.length})`);
    await fleet.replaceTarget(service, target.id, target.release);
  }
  return {
    applied: true,
    summary: `${service}: restarted ${targets.map((t) => t.id).join(', ')}`,
    before: { release: before, desiredCount },
    after: { release: fleet.releasesOf(service), desiredCount },
  };
}

export function shiftWeights(
  fleet: Fleet,
  service: string,
  weights: Partial<Record<Pool, number>>,
): ActionResult {
  const state = fleet.service(service);
  const before = { ...state.weights };
  const after = { ...state.weights, ...weights };
  if (POOLS.every((p) => after[p] === before[p]))
    return {
      applied: false,
      summary: `${service} weights already ${JSON.stringify(after)}`,
      before: { weights: before },
      after: { weights: before },
    };
  state.weights = after;
  fleet.persist();
  return {
    applied: true,
    summary: `${service} weights ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    before: { weights: before },
    after: { weights: after },
  };
}

/**
 * Sets the replica count: new targets join the primary pool on the service's current release; removal
 * takes the newest primary first, keeping a primary while anything else can go.
 */
export async function scaleService(
  fleet: Fleet,
  service: string,
  desiredCount: number,
  progress: Progress,
): Promise<ActionResult> {
  const state = fleet.service(service);
  const before = { desiredCount: state.desiredCount, release: fleet.releasesOf(service) };
  if (desiredCount === state.targets.length && desiredCount === state.desiredCount)
    return {
      applied: false,
      summary: `${service} already has ${desiredCount} replicas`,
      before,
      after: before,
    };
  state.desiredCount = desiredCount;
  fleet.persist();

  const release = mostCommon(state.targets.map((t) => t.release)) ?? serviceSpec(service)!.initialRelease;
  const adding: TargetState[] = [];
  while (state.targets.length + adding.length < desiredCount)
    adding.push({ id: `${service}-${state.nextSlot++}`, pool: 'primary', release });
  if (adding.length > 0) {
    progress(`${service}: starting ${adding.map((t) => t.id).join(', ')}`);
    await fleet.addTargets(service, adding);
  }

  const removing: TargetState[] = [];
  while (state.targets.length - removing.length > desiredCount) {
    const left = state.targets.filter((t) => !removing.includes(t));
    const primaries = left.filter((t) => t.pool === 'primary');
    removing.push((primaries.length > 1 ? primaries : left).sort((a, b) => slot(b.id) - slot(a.id))[0]!);
  }
  if (removing.length > 0) {
    progress(`${service}: stopping ${removing.map((t) => t.id).join(', ')}`);
    await fleet.removeTargets(
      service,
      removing.map((t) => t.id),
    );
  }
  return {
    applied: true,
    summary: `${service} scaled from ${before.desiredCount} to ${desiredCount} replicas`,
    before,
    after: { desiredCount, release: fleet.releasesOf(service) },
  };
}

import type { Fleet } from './fleet';
import { MAX_REPLICAS } from './fleet';
import { FleetInputError } from './fleetErrors';
import type { ActionResult, Behaviour, LedgerEntry, Pool } from './fleetModel';
import { rollOut, restartTargets, scaleService, shiftWeights } from './operations';
import { serviceSpec } from './services';

/**
 * The fleet's mutating actions as the control API offers them. Each validates against the current
 * state first (FleetInputError → 4xx, nothing changed) and then runs once per action id.
 */
export type Started = { entry: LedgerEntry; done: Promise<unknown> };

export function deploy(
  fleet: Fleet,
  service: string,
  req: { actionId: string; release: string; by: string; targets?: string[]; behaviour?: Partial<Behaviour> },
  kind = 'deploy',
): Started {
  return fleet.act(req.actionId, kind, service, { ...req }, () => {
    const targets = fleet.resolveTargets(service, req.targets);
    const releases = fleet.service(service).releases;
    const known = releases[req.release];
    if (known && req.behaviour && JSON.stringify(known) !== JSON.stringify({ ...known, ...req.behaviour }))
      throw new FleetInputError(
        `release ${req.release} already exists with another behaviour`,
        'behaviour',
        409,
      );
    return (progress) => {
      releases[req.release] ??= { errorRatio: 0, latencyMs: 0, ...req.behaviour };
      return rollOut(
        fleet,
        service,
        { release: req.release, targets, by: req.by, deploymentId: `deploy-${req.actionId}` },
        progress,
      );
    };
  });
}

export function rollback(fleet: Fleet, service: string, req: { actionId: string; by: string }): Started {
  return fleet.act(req.actionId, 'rollback', service, { ...req }, () => {
    const last = fleet.state.deployments.filter((d) => d.service === service).at(-1);
    if (!last?.previousRelease)
      throw new FleetInputError(`${service} has no deployment to roll back`, 'service', 409);
    const release = last.previousRelease;
    const targets = fleet.resolveTargets(service, undefined);
    return (progress) =>
      rollOut(
        fleet,
        service,
        { release, targets, by: req.by, deploymentId: `deploy-${req.actionId}` },
        progress,
      );
  });
}

export function restart(
  fleet: Fleet,
  service: string,
  req: { actionId: string; targets?: string[] },
): Started {
  return fleet.act(req.actionId, 'restart', service, { ...req }, () => {
    const targets = fleet.resolveTargets(service, req.targets);
    return (progress) => restartTargets(fleet, service, targets, progress);
  });
}

export function setWeights(
  fleet: Fleet,
  service: string,
  req: { actionId: string; weights: Partial<Record<Pool, number>> },
): Started {
  return fleet.act(req.actionId, 'setWeights', service, { ...req }, () => {
    const after = { ...fleet.service(service).weights, ...req.weights };
    if (Object.values(after).every((w) => w <= 0))
      throw new FleetInputError('at least one pool needs a weight above 0', 'weights');
    return () => Promise.resolve(shiftWeights(fleet, service, req.weights));
  });
}

export function scale(
  fleet: Fleet,
  service: string,
  req: { actionId: string; desiredCount: number },
): Started {
  return fleet.act(req.actionId, 'scale', service, { ...req }, () => {
    if (req.desiredCount < 1 || req.desiredCount > MAX_REPLICAS)
      throw new FleetInputError(`desiredCount must be 1..${MAX_REPLICAS}`, 'desiredCount');
    return (progress) => scaleService(fleet, service, req.desiredCount, progress);
  });
}

export function clearCache(
  fleet: Fleet,
  service: string,
  req: { actionId: string; targets?: string[] },
): Started {
  return fleet.act(req.actionId, 'clearCache', service, { ...req }, () => {
    const targets = fleet.resolveTargets(service, req.targets);
    return async (progress): Promise<ActionResult> => {
      const live = fleet.liveReplicas(service, targets).filter((r) => r.healthy);
      progress(`${service}: clearing the cache of ${live.map((r) => r.id).join(', ')}`);
      await Promise.all(live.map((r) => r.post('/_cache/clear', {})));
      const skipped = targets.filter((t) => !live.some((r) => r.id === t.id)).map((t) => t.id);
      const releases = fleet.releasesOf(service);
      return {
        applied: live.length > 0,
        summary:
          `${service}: cleared the cache of ${live.map((r) => r.id).join(', ') || 'no target'}` +
          (skipped.length ? `; skipped unhealthy ${skipped.join(', ')}` : ''),
        before: { release: releases },
        after: { release: releases },
      };
    };
  });
}

/** How long a replay waits for its jobs to be processed before it reports them as still pending. */
const REPLAY_WAIT_MS = 60_000;

export function replayDeadLetters(
  fleet: Fleet,
  service: string,
  req: { actionId: string; max?: number },
): Started {
  return fleet.act(req.actionId, 'replayDeadLetters', service, { ...req }, () => {
    if (!serviceSpec(service)?.hasQueue)
      throw new FleetInputError(`${service} has no job queue`, 'service', 409);
    return async (progress): Promise<ActionResult> => {
      const ids = fleet.queues.replay(service, req.max ?? Number.MAX_SAFE_INTEGER);
      // Done means the replayed jobs were processed (again), not merely put back on the queue.
      const deadline = Date.now() + REPLAY_WAIT_MS;
      let where = fleet.queues.whereAre(service, ids);
      while (where.pending > 0 && Date.now() < deadline) {
        progress(`${service}: ${ids.length - where.pending} of ${ids.length} replayed jobs processed`);
        await new Promise((r) => setTimeout(r, 200));
        where = fleet.queues.whereAre(service, ids);
      }
      const left = fleet.queues.deadLetterCount(service);
      return {
        applied: ids.length > 0,
        summary:
          `${service}: replayed ${ids.length} dead letters: ${ids.length - where.pending - where.dead} processed, ` +
          `${where.dead} failed again, ${where.pending} still queued; ${left} dead letters now`,
        before: {},
        after: {},
      };
    };
  });
}

import type { Fleet, Progress } from './fleet';
import { WHOLE_FLEET } from './fleet';
import { CONDITIONS } from './faultActions';
import type { Started } from './fleetActions';
import type { ActionResult, ServiceState } from './fleetModel';
import { initialState } from './initialState';
import { rollOut } from './operations';
import { serviceSpec } from './services';

const AS_STARTED = 'already as started';

/**
 * Returns the whole fleet to its initial state (initialState.ts) so a demo or a test starts from a known
 * fleet: faults cleared, every service on its initial release, weights and replica count, dead and hung
 * replicas replaced, caches, job queues and dead letters emptied. The action ledger, the deploy history
 * and the metric series stay: diagnosis compares with the past, and what happened is not rewritten.
 * Releases it changes are an ordinary deployment by `by` (default `reset`).
 */
export function resetFleet(fleet: Fleet, req: { actionId: string; by?: string }): Started {
  return fleet.act(req.actionId, 'reset', WHOLE_FLEET, { ...req }, () => {
    const initial = initialState(fleet.options.replicasPerService).services;
    return async (progress): Promise<ActionResult> => {
      // Services reset side by side; within one, changes go one replica at a time like any rollout.
      const summaries = await Promise.all(
        Object.keys(fleet.state.services).map((service) =>
          resetService(fleet, service, initial[service]!, req.by ?? 'reset', req.actionId, progress),
        ),
      );
      fleet.persist();
      const applied = summaries.some((s) => !s.endsWith(AS_STARTED));
      return { applied, summary: summaries.join('; '), before: {}, after: {} };
    };
  });
}

async function resetService(
  fleet: Fleet,
  service: string,
  initial: ServiceState,
  by: string,
  actionId: string,
  progress: Progress,
): Promise<string> {
  const state = fleet.service(service);
  const changes: string[] = [];
  // Dead or hung before the faults are cleared: these get a fresh process whatever else changes.
  const broken = new Set(
    fleet
      .replicasOf(service)
      .filter((r) => !r.healthy)
      .map((r) => r.id),
  );
  const backlog = state.conditions.slowJobCostMs !== undefined;
  // Traffic and network conditions (surge, spike, daily cycle, slow network) end with the condition.
  const ended = Object.entries(CONDITIONS)
    .filter(([, key]) => key !== 'slowJobCostMs' && state.conditions[key!] !== undefined)
    .map(([scenario]) => scenario);
  if (ended.length > 0) changes.push(`ended ${ended.join(', ')}`);
  state.conditions = {};
  state.weights = { ...initial.weights };
  state.desiredCount = initial.desiredCount;
  fleet.persist();
  // The backlog goes with the condition that built it, before consumers speed up and work it off. A
  // queue under load always holds a few jobs: those are dropped too, but only a backlog is reported.
  if (serviceSpec(service)!.hasQueue) {
    const dropped = fleet.queues.clear(service);
    if (backlog) changes.push(`dropped a backlog of ${dropped.queued} jobs`);
    if (dropped.dead > 0) changes.push(`dropped ${dropped.dead} dead letters`);
  }
  // The replica's admin route answers even in a hang, so one call clears every replica fault. Memory a
  // leak took is not handed back to the system at once: a leaker gets a fresh process too.
  await Promise.all(
    fleet.liveReplicas(service).map(async (r) => {
      const reply = (await r.post('/_fault', { clear: true }).catch(() => undefined)) as
        { cleared?: string[] } | undefined;
      if (reply?.cleared?.includes('leak')) broken.add(r.id);
    }),
  );

  const wanted = new Map(initial.targets.map((t) => [t.id, t]));
  const extra = state.targets.filter((t) => !wanted.has(t.id)).map((t) => t.id);
  if (extra.length > 0) {
    progress(`${service}: removing ${extra.join(', ')}`);
    await fleet.removeTargets(service, extra);
    changes.push(`removed ${extra.join(', ')}`);
  }
  const missing = initial.targets.filter((t) => !state.targets.some((s) => s.id === t.id));
  if (missing.length > 0) {
    progress(`${service}: starting ${missing.map((t) => t.id).join(', ')}`);
    await fleet.addTargets(
      service,
      missing.map((t) => ({ ...t })),
    );
    changes.push(`started ${missing.map((t) => t.id).join(', ')}`);
  }
  for (const target of state.targets) {
    const pool = wanted.get(target.id)!.pool;
    if (target.pool !== pool) broken.add(target.id); // a replica's pool is fixed when it starts
    target.pool = pool;
  }
  state.targets.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

  const release = serviceSpec(service)!.initialRelease;
  const rolled = await rollOut(
    fleet,
    service,
    { release, targets: state.targets, by, deploymentId: `deploy-${actionId}-${service}` },
    progress,
  );
  if (rolled.applied) changes.push(rolled.summary.replace(`${service}: `, ''));
  const stillBroken = state.targets.filter(
    (t) => broken.has(t.id) && rolled.before.release?.[t.id] === release,
  );
  for (const target of stillBroken) {
    progress(`${service}: restarting ${target.id}`);
    await fleet.replaceTarget(service, target.id, release);
  }
  if (stillBroken.length > 0) changes.push(`restarted ${stillBroken.map((t) => t.id).join(', ')}`);

  await Promise.all(
    fleet.liveReplicas(service).map((r) => r.post('/_cache/clear', {}).catch(() => undefined)),
  );
  return `${service}: ${changes.join(', ') || AS_STARTED}`;
}

import type { Fleet } from './fleet';
import { FleetInputError } from './fleetErrors';
import { deploy, type Started } from './fleetActions';
import type { FaultScenarioName, ReplicaFault } from './faultScenarios';
import { FAILED_JOBS_TOTAL, SLOW_JOB_COST_MS } from './faultScenarios';
import type { ActionResult } from './fleetModel';
import type { ReplicaProcess } from './replicaProcess';
import { serviceSpec } from './services';

/** Injecting and clearing the named fault scenarios (faultScenarios.ts) on a running fleet. */

const noChange = (summary: string): ActionResult => ({ applied: true, summary, before: {}, after: {} });

async function send(replicas: ReplicaProcess[], fault: ReplicaFault): Promise<string> {
  if (replicas.length === 0) throw new Error('no live replica to inject the fault into');
  await Promise.all(replicas.map((r) => r.injectFault(fault)));
  return replicas.map((r) => r.id).join(', ');
}

/** Version after the service's newest: v1 → v2; names without a number get a suffix. */
function nextRelease(fleet: Fleet, service: string): string {
  const known = Object.keys(fleet.service(service).releases);
  const numbers = known.map((r) => Number(/^v(\d+)$/.exec(r)?.[1] ?? 0));
  return `v${Math.max(0, ...numbers) + 1}`;
}

export function injectFault(
  fleet: Fleet,
  service: string,
  req: { actionId: string; scenario: FaultScenarioName; target?: string; by?: string },
): Started {
  if (req.scenario === 'bad-release') {
    // A faulty release is an ordinary deploy by someone other than Homeostat.
    return deploy(
      fleet,
      service,
      {
        actionId: req.actionId,
        release: nextRelease(fleet, service),
        by: req.by ?? 'scenario:bad-release',
        behaviour: { errorRatio: 0.5, latencyMs: 0 },
      },
      'fault:bad-release',
    );
  }
  return fleet.act(req.actionId, `fault:${req.scenario}`, service, { ...req }, () => {
    const hasQueue = serviceSpec(service)?.hasQueue ?? false;
    if ((req.scenario === 'queue-backlog' || req.scenario === 'failed-jobs') && !hasQueue)
      throw new FleetInputError(`${service} has no job queue; try checkout`, 'service', 409);
    if (req.target) fleet.resolveTargets(service, [req.target]);
    const one = (): ReplicaProcess[] => {
      const live = fleet.liveReplicas(service).filter((r) => r.healthy);
      const chosen = req.target
        ? live.filter((r) => r.id === req.target)
        : live.filter((r) => r.spec.pool === 'primary').slice(0, 1);
      return chosen;
    };
    return async (): Promise<ActionResult> => {
      switch (req.scenario) {
        case 'memory-leak':
          return noChange(`${service}: ${await send(one(), { kind: 'leak', mbPerSecond: 5 })} leaks memory`);
        case 'hang':
          return noChange(`${service}: ${await send(one(), { kind: 'hang' })} stopped answering`);
        case 'dependency-outage': {
          const primary = fleet.liveReplicas(service).filter((r) => r.spec.pool === 'primary');
          return noChange(`${service}: primary pool (${await send(primary, { kind: 'hang' })}) is down`);
        }
        case 'corrupted-cache':
          return noChange(
            `${service}: corrupt cache on ${await send(fleet.liveReplicas(service), { kind: 'corrupt-cache' })}`,
          );
        case 'failed-jobs': {
          const live = fleet.liveReplicas(service);
          const count = Math.ceil(FAILED_JOBS_TOTAL / Math.max(1, live.length));
          return noChange(
            `${service}: the next ${count} jobs fail on ${await send(live, { kind: 'fail-jobs', count })}`,
          );
        }
        case 'queue-backlog':
          fleet.service(service).conditions.slowJobCostMs = SLOW_JOB_COST_MS;
          fleet.persist();
          return noChange(`${service}: consumers slowed to ${SLOW_JOB_COST_MS} ms a job`);
        default:
          throw new Error(`scenario ${req.scenario} is not a replica fault`);
      }
    };
  });
}

/** Clears what a scenario injected, without the healing action (for demos and test clean-up). */
export function clearFault(
  fleet: Fleet,
  service: string,
  req: { actionId: string; scenario: FaultScenarioName },
): Started {
  return fleet.act(req.actionId, `clear:${req.scenario}`, service, { ...req }, () => {
    if (req.scenario === 'bad-release')
      throw new FleetInputError('a release cannot be un-injected: roll back instead', 'scenario', 409);
    return async (): Promise<ActionResult> => {
      if (req.scenario === 'queue-backlog') {
        delete fleet.service(service).conditions.slowJobCostMs;
        fleet.persist();
      } else {
        await Promise.all(fleet.liveReplicas(service).map((r) => r.post('/_fault', { clear: true })));
      }
      return noChange(`${service}: ${req.scenario} cleared`);
    };
  });
}

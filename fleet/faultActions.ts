import type { Fleet } from './fleet';
import { FleetInputError } from './fleetErrors';
import { deploy, type Started } from './fleetActions';
import type { FaultScenarioName, ReplicaFault } from './faultScenarios';
import {
  DAILY_CYCLE,
  ERROR_BURST,
  FAILED_JOBS_TOTAL,
  SLOW_JOB_COST_MS,
  SPIKE_FACTOR,
  SPIKE_MIN_RPS,
  SURGE_RPS,
} from './faultScenarios';
import type { ActionResult } from './fleetModel';
import type { ReplicaProcess } from './replicaProcess';
import type { ServiceConditions } from './fleetModel';
import { ENTRY_SERVICE, serviceSpec } from './services';

/** Scenarios that are a condition of the service's surroundings (traffic, network), not of a replica. */
export const CONDITIONS: Partial<Record<FaultScenarioName, keyof ServiceConditions>> = {
  'queue-backlog': 'slowJobCostMs',
  'network-timeout': 'slowNetwork',
  'traffic-surge': 'surgeRps',
  'traffic-spike': 'spikeRps',
  'daily-cycle': 'dailyCycle',
};

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
    if (req.scenario === 'daily-cycle' && service !== ENTRY_SERVICE)
      throw new FleetInputError(
        `the daily cycle shapes the load generator's traffic, which enters at ${ENTRY_SERVICE}; try ${ENTRY_SERVICE}`,
        'service',
        409,
      );
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
          return setCondition(
            fleet,
            service,
            { slowJobCostMs: SLOW_JOB_COST_MS },
            `consumers slowed to ${SLOW_JOB_COST_MS} ms a job`,
          );
        case 'network-timeout': {
          // Past the callers' client timeout (the dependency's proxy timeout + 500 ms, fleet.ts), by 500 ms.
          const delayMs = (serviceSpec(service)?.proxyTimeoutMs ?? 1_000) + 1_000;
          return setCondition(
            fleet,
            service,
            { slowNetwork: { pool: 'primary', delayMs } },
            `the network path to the primary pool takes ${delayMs} ms`,
          );
        }
        case 'traffic-surge':
          return setCondition(
            fleet,
            service,
            { surgeRps: SURGE_RPS },
            `a surge of ${SURGE_RPS} catalog reads a second`,
          );
        case 'traffic-spike': {
          const spikeRps = Math.max(SPIKE_MIN_RPS, Math.round(fleet.options.loadRps * SPIKE_FACTOR));
          return setCondition(fleet, service, { spikeRps }, `a spike of ${spikeRps} extra requests a second`);
        }
        case 'daily-cycle':
          return setCondition(
            fleet,
            service,
            { dailyCycle: { ...DAILY_CYCLE, since: Date.now() } },
            `the load follows a ${DAILY_CYCLE.periodSeconds} s cycle, ±${DAILY_CYCLE.amplitude * 100}%`,
          );
        case 'error-burst': {
          const live = fleet.liveReplicas(service).filter((r) => r.healthy);
          const on = await send(live, { kind: 'error-burst', ...ERROR_BURST });
          return noChange(`${service}: a ${ERROR_BURST.ms} ms burst of errors on ${on}`);
        }
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
      const condition = CONDITIONS[req.scenario];
      if (condition) {
        delete fleet.service(service).conditions[condition];
        fleet.persist();
      } else {
        await Promise.all(fleet.liveReplicas(service).map((r) => r.post('/_fault', { clear: true })));
      }
      return noChange(`${service}: ${req.scenario} cleared`);
    };
  });
}

function setCondition(
  fleet: Fleet,
  service: string,
  condition: ServiceConditions,
  summary: string,
): ActionResult {
  Object.assign(fleet.service(service).conditions, condition);
  fleet.persist();
  return noChange(`${service}: ${summary}`);
}

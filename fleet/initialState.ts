import type { FleetState, ServiceState, TargetState } from './fleetModel';
import { HEALTHY_BEHAVIOUR } from './fleetModel';
import { SERVICE_SPECS } from './services';

/** A fresh fleet: every service on its first release, all but the last replica in the primary pool. */
export function initialState(replicasPerService: number): FleetState {
  const services: Record<string, ServiceState> = {};
  for (const spec of SERVICE_SPECS) {
    const targets: TargetState[] = Array.from({ length: replicasPerService }, (_, i) => ({
      id: `${spec.name}-${i}`,
      pool: replicasPerService > 1 && i === replicasPerService - 1 ? 'standby' : 'primary',
      release: spec.initialRelease,
    }));
    services[spec.name] = {
      name: spec.name,
      targets,
      weights: { primary: 100, standby: 0 },
      desiredCount: replicasPerService,
      nextSlot: replicasPerService,
      releases: { [spec.initialRelease]: { ...HEALTHY_BEHAVIOUR } },
      conditions: {},
    };
  }
  return { version: 1, services, deployments: [], ledger: [], deadLetters: {}, queues: {} };
}

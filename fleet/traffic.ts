import { CATALOG_PATH } from './capacity';
import type { FleetState } from './fleetModel';
import { LoadGenerator } from './loadGenerator';

/**
 * All synthetic traffic of the fleet, shaped by the services' conditions (read on every 100 ms tick, so
 * injecting, clearing or resetting a fault changes the traffic at once and a restarted control process
 * resumes it from the state file):
 * - the steady load on the entry service, `loadRps`, following the daily cycle when one is set there;
 * - per service, a spike generator (extra ordinary requests, which call the dependencies) and a surge
 *   generator (extra catalog reads, which do not), both idle while their condition is absent.
 */
export class Traffic {
  private readonly generators: LoadGenerator[] = [];

  constructor(
    private readonly state: FleetState,
    private readonly loadRps: number,
  ) {}

  start(entryService: string, proxyUrls: Record<string, string>): void {
    const conditions = (service: string) => this.state.services[service]?.conditions ?? {};
    this.generators.push(
      new LoadGenerator(`${proxyUrls[entryService]}/`, () => {
        const cycle = conditions(entryService).dailyCycle;
        if (!cycle) return this.loadRps;
        const phase = (2 * Math.PI * (Date.now() - cycle.since)) / (cycle.periodSeconds * 1000);
        return this.loadRps * (1 + cycle.amplitude * Math.sin(phase));
      }),
    );
    for (const [service, url] of Object.entries(proxyUrls)) {
      this.generators.push(new LoadGenerator(`${url}/`, () => conditions(service).spikeRps ?? 0));
      // A surge meets a saturated service: its requests wait up to the queue limit, so allow many in flight.
      this.generators.push(
        new LoadGenerator(`${url}${CATALOG_PATH}`, () => conditions(service).surgeRps ?? 0, 5_000, 300),
      );
    }
    for (const generator of this.generators) generator.start();
  }

  stop(): void {
    for (const generator of this.generators) generator.stop();
  }
}

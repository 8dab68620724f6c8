/**
 * Runs the local fleet in the foreground: `node --import tsx scripts/fleet.ts`.
 * Prints the control API and proxy URLs; Ctrl-C (or SIGTERM) stops every process it started.
 * Settings: HOMEOSTAT_FLEET_CONTROL_PORT (7400; 0 = any free port), HOMEOSTAT_FLEET_REPLICAS (3),
 * HOMEOSTAT_FLEET_LOAD_RPS (30); state lives in $HOMEOSTAT_STATE_DIR/fleet (delete it to start over).
 */
import { join } from 'node:path';
import { startFleet } from '../fleet/startFleet';
import { FAULT_SCENARIOS } from '../fleet/faultScenarios';
import { loadConfig } from '../core/model/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const stateDir = join(config.embedded.stateDir, 'fleet');
  process.stdout.write(`starting the local fleet (state in ${stateDir})…\n`);
  const fleet = await startFleet({
    stateDir,
    controlPort: config.fleet.controlPort,
    replicasPerService: config.fleet.replicasPerService,
    loadRps: config.fleet.loadRps,
  });
  const lines = [
    `control API  ${fleet.controlUrl}   (GET /state, /services/<name>/series?metrics=error_ratio, /actions)`,
    ...Object.entries(fleet.proxies).map(([name, url]) => `${name.padEnd(12)} ${url}`),
    '',
    `load: ${config.fleet.loadRps} requests/s on web; break something with`,
    `  node --import tsx scripts/fault.ts <scenario> --url ${fleet.controlUrl}`,
    `  scenarios: ${FAULT_SCENARIOS.map((s) => s.name).join(', ')}`,
    'Ctrl-C stops the fleet.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the fleet…\n');
    fleet.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}
`);
  process.exit(1);
});

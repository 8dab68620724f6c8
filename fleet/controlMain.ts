/**
 * The fleet's control process: replicas, proxies, load generator, metrics and the control API.
 * Started by startFleet() (or scripts/fleet.ts) as `node --import tsx fleet/controlMain.ts`;
 * settings come from the environment. Prints one `READY {json}` line on stdout when it serves.
 */
import type { AddressInfo } from 'node:net';
import { createControlServer } from './controlApi';
import { CONTROL_ENV } from './controlMain.env';
import { Fleet } from './fleet';
import { initialState } from './initialState';
import { prepareReplicaCommand } from './replicaBundle';
import { StateStore } from './stateStore';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0, got ${raw}`);
  return value;
}

async function main(): Promise<void> {
  const stateDir = process.env[CONTROL_ENV.stateDir];
  if (!stateDir) throw new Error(`${CONTROL_ENV.stateDir} is not set`);
  const port = numberFromEnv(CONTROL_ENV.port, 0);
  const replicas = Math.max(1, Math.min(12, numberFromEnv(CONTROL_ENV.replicas, 3)));
  const loadRps = Math.min(200, numberFromEnv(CONTROL_ENV.loadRps, 30));
  const windowSeconds = numberFromEnv(CONTROL_ENV.windowSeconds, 1_800);

  const store = new StateStore(stateDir);
  const state = store.load() ?? initialState(replicas);
  const fleet = new Fleet(state, store, await prepareReplicaCommand(stateDir), {
    loadRps,
    windowSeconds,
    replicasPerService: replicas,
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      server.close();
      server.closeAllConnections();
      await fleet.stop();
    })().finally(() => process.exit(0)));
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (process.env[CONTROL_ENV.watchStdin] === '1') {
    // The parent holds our stdin; when it dies without stopping us, stop anyway (next to pdeathsig).
    process.stdin.on('end', () => void stop());
    process.stdin.resume();
  }

  const server = createControlServer(fleet);
  // Claim the port before starting any replica, so a taken port fails fast and starts nothing.
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `control port ${port} is taken: free it or choose another (HOMEOSTAT_FLEET_CONTROL_PORT)`,
            )
          : err,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await fleet.start();
  const controlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.stdout.write(
    `READY ${JSON.stringify({ controlUrl, proxies: fleet.proxyUrls, pid: process.pid })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`fleet control process failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

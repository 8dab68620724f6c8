import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../core/model/config';
import { createConfiguredWorker } from './configuredWorker';

/**
 * `npm run worker`: a worker alone, for production next to an existing Temporal cluster or Temporal
 * Cloud (TEMPORAL_ADDRESS), or beside a running `npm start`. Shuts down gracefully on SIGINT/SIGTERM
 * (the SDK installs those handlers), letting in-flight activities finish for the grace period.
 */
async function main(): Promise<void> {
  const cfg = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { worker, address, close } = await createConfiguredWorker(cfg);
  try {
    console.log(
      `[homeostat] worker polling ${cfg.worker.taskQueue} on ${address} (${cfg.temporal.namespace})`,
    );
    await worker.run();
  } finally {
    await close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[homeostat] worker failed: ${(err as Error).message ?? String(err)}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);

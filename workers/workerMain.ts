import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../core/model/config';
import { Client } from '@temporalio/client';
import { connectClient } from '../client/connection';
import { connectWorker } from './connection';
import { createProviders } from '../providers';
import { activityDepsFromConfig, createHomeostatWorker } from './worker';

/**
 * `npm run worker`: a worker alone, for production next to an existing Temporal cluster or Temporal
 * Cloud (TEMPORAL_ADDRESS), or beside a running `npm start`. Shuts down gracefully on SIGINT/SIGTERM
 * (the SDK installs those handlers), letting in-flight activities finish for the grace period.
 */
async function main(): Promise<void> {
  const cfg = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const address = cfg.temporal.address ?? `${cfg.embedded.ip}:${cfg.embedded.port}`;
  const connection = await connectWorker(cfg, address);
  const clientConnection = await connectClient(cfg, address);
  const client = new Client({ connection: clientConnection, namespace: cfg.temporal.namespace });
  try {
    const worker = await createHomeostatWorker({
      connection,
      namespace: cfg.temporal.namespace,
      taskQueue: cfg.worker.taskQueue,
      shutdownGraceSeconds: cfg.worker.shutdownGraceSeconds,
      activityDeps: activityDepsFromConfig(cfg, createProviders(cfg), client),
    });
    console.log(
      `[homeostat] worker polling ${cfg.worker.taskQueue} on ${address} (${cfg.temporal.namespace})`,
    );
    await worker.run();
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[homeostat] worker failed: ${(err as Error).message ?? String(err)}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);

import { ConfigError, loadConfig } from '../core/model/config';
import { createConfiguredWorker } from './configuredWorker';
import { componentLogger } from './logging';
import { installTelemetry } from './telemetry';
import { startTracing } from './telemetryTracing';

/**
 * `npm run worker`: a worker alone, for production next to an existing Temporal cluster or Temporal
 * Cloud (TEMPORAL_ADDRESS), or beside a running `npm start`. Shuts down gracefully on SIGINT/SIGTERM
 * (the SDK installs those handlers), letting in-flight activities finish for the grace period. Logs are
 * JSON on stderr; the SDK's worker metrics are served at HOMEOSTAT_METRICS_BIND_ADDRESS when set.
 */
async function main(): Promise<void> {
  const cfg = loadConfig();
  const { sdkMetricsUrl } = await installTelemetry(cfg.telemetry);
  const log = componentLogger('worker');
  const tracing = startTracing(cfg.telemetry.tracing);
  const { worker, address, close } = await createConfiguredWorker(cfg, {}, tracing);
  try {
    log.info(
      {
        taskQueue: cfg.worker.taskQueue,
        address,
        namespace: cfg.temporal.namespace,
        ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}),
        tracing: tracing ? 'on' : 'off',
      },
      `worker polling ${cfg.worker.taskQueue} on ${address} (${cfg.temporal.namespace})`,
    );
    await worker.run();
  } finally {
    await close();
    await tracing?.shutdown();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      // A person fixes this one: a readable message naming the setting, not a JSON line.
      console.error(`[homeostat] worker failed: ${err.message}`);
      process.exit(2);
    }
    componentLogger('worker').fatal({ err }, `worker failed: ${(err as Error).message ?? String(err)}`);
    process.exit(1);
  },
);

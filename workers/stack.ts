import { join, resolve } from 'node:path';
import { runDemo } from './runDemo';
import { startFleet, type RunningFleet } from '../fleet/startFleet';
import { ConfigError, loadConfig, type HomeostatConfig } from '../core/model/config';
import { createProviders } from '../providers';
import { startWebhookServer, type RunningWebhookServer } from '../triggers/server';
import { startStack, type RunningStack } from './embeddedStack';
import { withDemoNotificationReceiver } from './notificationReceiver';
import { componentLogger } from './logging';
import { installTelemetry } from './telemetry';
import { startTracing } from './telemetryTracing';

const log = (msg: string): void => console.log(msg ? `[homeostat] ${msg}` : '');

/**
 * `npm start`: the whole stack on the embedded defaults — Temporal dev server and UI, the worker, the
 * alert webhook, the local fleet with the detector workflow watching it — and, unless HOMEOSTAT_DEMO=false,
 * the self-healing demo. Runs until Ctrl-C or SIGTERM, then stops everything in reverse order.
 */
async function main(): Promise<number> {
  let cfg = loadConfig();
  // Human lines (this `log`, the demo) on stdout; JSON logs, the SDK's among them, on stderr. The SDK's
  // worker metrics get a loopback port unless configured, so the webhook's /metrics carries them.
  const telemetry = await installTelemetry(cfg.telemetry, { defaultMetricsOnLoopback: true });
  const tracing = startTracing(cfg.telemetry.tracing);
  cfg = demoDefaults(cfg);

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log(`while stopping: ${String(err)}`));
  };
  let stopped = false;
  const signalled = new Promise<NodeJS.Signals>((resolveSignal) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      process.once(sig, () => {
        stopped = true;
        resolveSignal(sig);
      });
  });

  if (tracing) stops.push(() => tracing.shutdown());
  try {
    let fleet: RunningFleet | undefined;
    if (cfg.target === 'local' && !cfg.fleet.controlUrl) {
      const stateDir = join(resolve(cfg.embedded.stateDir), 'fleet');
      fleet = await startFleet({
        stateDir,
        controlPort: cfg.fleet.controlPort,
        replicasPerService: cfg.fleet.replicasPerService,
        loadRps: cfg.fleet.loadRps,
      });
      stops.push(() => fleet!.stop());
      log(`local fleet: control API ${fleet.controlUrl}, ${cfg.fleet.loadRps} requests/s on web`);
    }
    cfg = await withDemoNotificationReceiver(cfg, stops, log);
    const providers = createProviders(cfg, fleet?.controlUrl);
    const stack: RunningStack = await startStack(cfg, log, providers, tracing);
    stops.push(() => stack.stop());

    const webhook: RunningWebhookServer = await startWebhookServer({
      client: stack.client,
      taskQueue: stack.taskQueue,
      config: cfg.webhook,
      logger: componentLogger('webhook'),
      ...(telemetry.sdkMetricsUrl ? { sdkMetricsUrl: telemetry.sdkMetricsUrl } : {}),
    });
    stops.push(() => webhook.close());
    log(`alert webhook: ${webhook.url}/alerts/<alertmanager|cloudwatch|pagerduty|grafana|generic>`);

    log(
      `ready. Temporal UI: ${stack.uiUrl ?? '(headless)'} — gRPC ${stack.address}, namespace ${stack.namespace}`,
    );
    log(
      `approvers: ${cfg.approvers.join(', ') || 'nobody (set HOMEOSTAT_APPROVERS)'}. Ctrl-C stops everything.`,
    );

    if (cfg.demo && fleet && providers) {
      void runDemo({
        client: stack.client,
        providers,
        controlUrl: fleet.controlUrl,
        ...(stack.uiUrl ? { uiUrl: stack.uiUrl } : {}),
        namespace: stack.namespace,
        approver: cfg.approvers[0]!,
        log,
        stopped: () => stopped,
      }).catch((err: unknown) => log(`demo stopped: ${(err as Error).message}`));
    }

    const outcome = await Promise.race([
      signalled.then((sig) => ({ kind: 'signal' as const, sig })),
      stack.workerDone.then(
        () => ({ kind: 'worker-stopped' as const }),
        (err: unknown) => ({ kind: 'worker-failed' as const, err }),
      ),
    ]);
    if (outcome.kind === 'signal') log(`${outcome.sig}: stopping…`);
    else if (outcome.kind === 'worker-failed')
      componentLogger('stack').error({ err: outcome.err }, `the worker failed: ${String(outcome.err)}`);
    stopped = true;
    await stopAll();
    log('stopped');
    return outcome.kind === 'worker-failed' ? 1 : 0;
  } catch (err) {
    stopped = true;
    await stopAll();
    throw err;
  }
}

/** The demo needs someone who may approve; a configured list always wins, the stand-in is printed. */
function demoDefaults(cfg: HomeostatConfig): HomeostatConfig {
  if (!cfg.demo || cfg.target !== 'local' || cfg.approvers.length > 0) return cfg;
  return { ...cfg, approvers: ['operator'] };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const msg = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    console.error(`[homeostat] cannot start: ${msg}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);

import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, WorkflowNotFoundError, type Connection, type WorkflowHandle } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { HomeostatConfig } from '../core/model/config';
import { stackSelfCheck } from '../workflows/selfCheck';
import { connectClient } from '../client/connection';
import { connectWorker } from './connection';
import { startDevServer, type RunningDevServer } from './devServer';
import { ensureSearchAttributes } from './searchAttributes';
import { describeCli, resolveTemporalCli } from './temporalCli';
import type { Providers } from '../providers/types';
import { notificationSetupFromConfig } from '../providers/notifiers';
import { activityDepsFromConfig, createHomeostatWorker } from './worker';
import type { Tracing } from './telemetryTracing';
import { detectorRunConfig, startDetector } from '../activities/detection/start';
import { DETECTOR_WORKFLOW_ID } from '../workflows/detector/api';

export interface RunningStack {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl?: string;
  client: Client;
  /** The detector workflow, when enabled and a target is configured (it outlives the stack: durable). */
  detector?: WorkflowHandle;
  /** Settles when the worker stops, by shutdown or by a fatal error (rejects then). */
  workerDone: Promise<void>;
  /** Graceful: the worker drains, then connections close, then the embedded server stops. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The whole stack in one process: the embedded dev server (unless TEMPORAL_ADDRESS points elsewhere),
 * the search attributes, and a worker — proven by a self-check workflow before it reports ready.
 */
export async function startStack(
  cfg: HomeostatConfig,
  log: (msg: string) => void,
  providers?: Providers,
  tracing?: Tracing,
): Promise<RunningStack> {
  let server: RunningDevServer | undefined;
  let connection: Connection | undefined;
  let nativeConnection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  const cleanup = async (): Promise<void> => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerDone?.catch(() => undefined);
    await nativeConnection?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server?.stop();
  };

  try {
    let address = cfg.temporal.address;
    if (address) {
      log(`connecting to Temporal at ${address} (namespace ${cfg.temporal.namespace})`);
    } else {
      const cli = resolveTemporalCli({ log });
      log(`Temporal CLI: ${describeCli(cli)}`);
      const stateDir = resolve(cfg.embedded.stateDir);
      server = await startDevServer({
        cli,
        ip: cfg.embedded.ip,
        port: cfg.embedded.port,
        uiPort: cfg.embedded.ui ? cfg.embedded.uiPort : undefined,
        dbFile: join(stateDir, 'temporal.db'),
        logFile: join(stateDir, 'temporal.log'),
        namespace: cfg.temporal.namespace,
      });
      address = server.address;
      log(`Temporal dev server on ${address}, state in ${join(stateDir, 'temporal.db')}`);
    }

    connection = await connectClient(cfg, address);
    const client = new Client({
      connection,
      namespace: cfg.temporal.namespace,
      ...(tracing ? { interceptors: tracing.clientInterceptors } : {}),
    });
    const added = await ensureSearchAttributes(connection, cfg.temporal.namespace);
    if (added.length > 0) log(`registered search attributes: ${added.join(', ')}`);

    nativeConnection = await connectWorker(cfg, address);
    worker = await createHomeostatWorker({
      connection: nativeConnection,
      namespace: cfg.temporal.namespace,
      taskQueue: cfg.worker.taskQueue,
      shutdownGraceSeconds: cfg.worker.shutdownGraceSeconds,
      activityDeps: {
        ...activityDepsFromConfig(cfg, providers, client),
        notifications: notificationSetupFromConfig(cfg),
      },
      ...(tracing ? { tracing: tracing.worker } : {}),
    });
    workerDone = worker.run();

    const started = Date.now();
    const report = await Promise.race([
      client.workflow.execute(stackSelfCheck, {
        taskQueue: cfg.worker.taskQueue,
        workflowId: `homeostat-self-check-${randomUUID()}`,
        workflowExecutionTimeout: '1 minute',
      }),
      workerDone.then(() => Promise.reject(new Error('the worker stopped before the self-check finished'))),
    ]);
    log(`worker ready on task queue ${report.taskQueue} (self-check round trip ${Date.now() - started} ms)`);
    const detector = await ensureDetector(cfg, client, providers, log);

    let stopping: Promise<void> | undefined;
    return {
      address,
      namespace: cfg.temporal.namespace,
      taskQueue: cfg.worker.taskQueue,
      uiUrl: server?.uiUrl,
      client,
      ...(detector ? { detector } : {}),
      workerDone,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * The detector runs as a workflow of its own, so it survives this process: a restarted stack joins the
 * running one (signal-with-start under a fixed id) and hands it the current settings. Disabled, a
 * detector an earlier run left behind is stopped, so nothing opens incidents the operator turned off.
 */
async function ensureDetector(
  cfg: HomeostatConfig,
  client: Client,
  providers: Providers | undefined,
  log: (msg: string) => void,
): Promise<WorkflowHandle | undefined> {
  if (cfg.detector.enabled && providers) {
    const config = detectorRunConfig(cfg);
    const handle = await startDetector(client, cfg.worker.taskQueue, config);
    log(
      `detector: watching ${config.services.join(', ')} every ${config.intervalSeconds} s ` +
        `(workflow ${handle.workflowId}, query detectorState)`,
    );
    return handle;
  }
  try {
    await client.workflow
      .getHandle(DETECTOR_WORKFLOW_ID)
      .terminate(
        cfg.detector.enabled ? 'no target configured' : 'detector disabled (HOMEOSTAT_DETECTOR=false)',
      );
    log('detector: stopped the one an earlier run started');
  } catch (err) {
    // None running (the usual case); anything else is worth a line, not a failed start.
    if (!(err instanceof WorkflowNotFoundError))
      log(`detector: could not stop it (${(err as Error).message})`);
  }
  return undefined;
}

import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { connectClient } from '../client/connection';
import type { HomeostatConfig } from '../core/model/config';
import { createProviders } from '../providers';
import { notificationSetupFromConfig } from '../providers/notifiers';
import { connectWorker } from './connection';
import type { Tracing } from './telemetryTracing';
import { activityDepsFromConfig, createHomeostatWorker, type HomeostatWorkerOptions } from './worker';

export interface ConfiguredWorker {
  worker: Worker;
  /** The Temporal address it polls. */
  address: string;
  /** Closes both connections; call after the worker has stopped. */
  close(): Promise<void>;
}

/**
 * A Homeostat worker exactly as the configuration describes it (connection, namespace, task queue,
 * shutdown grace, providers and activity settings): what `npm run worker` runs. `extra` adds what a
 * caller brings of its own, such as a prebuilt workflow bundle or interceptors. With `tracing`
 * (workers/telemetryTracing.ts) its client, activities and workflows are traced.
 */
export async function createConfiguredWorker(
  cfg: HomeostatConfig,
  extra: Pick<HomeostatWorkerOptions, 'workflowBundle' | 'interceptors'> = {},
  tracing?: Tracing,
): Promise<ConfiguredWorker> {
  const address = cfg.temporal.address ?? `${cfg.embedded.ip}:${cfg.embedded.port}`;
  const connection = await connectWorker(cfg, address);
  const clientConnection = await connectClient(cfg, address);
  const close = async (): Promise<void> => {
    await clientConnection.close();
    await connection.close();
  };
  try {
    const client = new Client({
      connection: clientConnection,
      namespace: cfg.temporal.namespace,
      ...(tracing ? { interceptors: tracing.clientInterceptors } : {}),
    });
    const worker = await createHomeostatWorker({
      connection,
      namespace: cfg.temporal.namespace,
      taskQueue: cfg.worker.taskQueue,
      shutdownGraceSeconds: cfg.worker.shutdownGraceSeconds,
      activityDeps: {
        ...activityDepsFromConfig(cfg, createProviders(cfg), client),
        notifications: notificationSetupFromConfig(cfg),
      },
      ...extra,
      ...(tracing ? { tracing: tracing.worker } : {}),
    });
    return { worker, address, close };
  } catch (err) {
    await close();
    throw err;
  }
}

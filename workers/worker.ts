import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { actionTimeoutsFor } from '../activities/deps';
import type { HomeostatConfig } from '../core/model/config';
import { loadCatalog } from '../core/playbooks/catalog';
import type { Providers } from '../providers/types';
import type { Tracing } from './telemetryTracing';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface HomeostatWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  shutdownGraceSeconds?: number;
  /** A prebuilt bundle (tests bundle once per run); otherwise the worker bundles WORKFLOWS_PATH itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  /** Activity and workflow interceptors (tests use one to hold an activity where a crash should land). */
  interceptors?: WorkerOptions['interceptors'];
  /** Tracing's interceptors and span sink (workers/telemetryTracing.ts), merged with `interceptors`. */
  tracing?: Tracing['worker'];
}

/**
 * The activities' dependencies from configuration: the catalog is loaded (and validated) once, here, and
 * the action activities' timeouts are derived from the provider's own limits.
 */
export function activityDepsFromConfig(
  cfg: HomeostatConfig,
  providers: Providers | undefined,
  client: Client,
): ActivityDeps {
  return {
    ...(providers ? { providers, actionTimeouts: actionTimeoutsFor(providers) } : {}),
    client,
    catalog: loadCatalog(cfg.incidents.playbooks),
    incidents: cfg.incidents,
    approvers: cfg.approvers,
    safety: cfg.safety,
    learning: { ...cfg.learning, baseSensitivity: cfg.detector.sensitivity },
    recordDir: join(resolve(cfg.embedded.stateDir), 'incidents'),
  };
}

export async function createHomeostatWorker(opts: HomeostatWorkerOptions): Promise<Worker> {
  return await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.activityDeps),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    // In-flight activities get this long to finish before shutdown cancels them (SDK default: 0).
    shutdownGraceTime: `${opts.shutdownGraceSeconds ?? 10} seconds`,
    ...(opts.identity ? { identity: opts.identity } : {}),
    ...(opts.interceptors || opts.tracing
      ? {
          interceptors: mergeInterceptors(
            opts.interceptors,
            opts.tracing?.interceptors,
            !opts.workflowBundle,
          ),
        }
      : {}),
    ...(opts.tracing ? { sinks: opts.tracing.sinks } : {}),
  });
}

/** A test's interceptors and tracing's together: the lists concatenated, tracing's outermost. */
function mergeInterceptors(
  own: WorkerOptions['interceptors'] = {},
  tracing: WorkerOptions['interceptors'] = {},
  bundling: boolean,
): WorkerOptions['interceptors'] {
  return {
    ...own,
    activity: [...(tracing.activity ?? []), ...(own.activity ?? [])],
    // A prebuilt bundle must already hold tracing's workflow module (bundleWorkflowCode's
    // workflowInterceptorModules): the SDK would ignore it here, with a warning.
    ...(bundling
      ? { workflowModules: [...(tracing.workflowModules ?? []), ...(own.workflowModules ?? [])] }
      : {}),
  };
}

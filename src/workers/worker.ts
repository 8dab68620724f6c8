import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface HomeostatWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  shutdownGraceSeconds?: number;
  /** A prebuilt bundle (tests bundle once per run); otherwise the worker bundles WORKFLOWS_PATH itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
}

export async function createHomeostatWorker(opts: HomeostatWorkerOptions): Promise<Worker> {
  return await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    // In-flight activities get this long to finish before shutdown cancels them (SDK default: 0).
    shutdownGraceTime: `${opts.shutdownGraceSeconds ?? 10} seconds`,
    ...(opts.identity ? { identity: opts.identity } : {}),
  });
}

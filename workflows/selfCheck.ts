import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WorkerProbe } from '../activities/selfCheck';

const { probeWorker } = proxyActivities<{ probeWorker(): Promise<WorkerProbe> }>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export interface SelfCheckReport {
  workflowId: string;
  taskQueue: string;
  worker: WorkerProbe;
}

/**
 * The stack's smoke test: one workflow task and one activity through the real server and worker.
 * The launcher runs it at start, so "ready" means the whole round trip works, not just that a port is open.
 */
export async function stackSelfCheck(): Promise<SelfCheckReport> {
  const info = workflowInfo();
  return { workflowId: info.workflowId, taskQueue: info.taskQueue, worker: await probeWorker() };
}

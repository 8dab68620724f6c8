import { hostname } from 'node:os';
import { activityInfo } from '@temporalio/activity';

export interface WorkerProbe {
  host: string;
  pid: number;
  attempt: number;
  answeredAt: string;
}

/** Reports which worker process ran it; read-only, so retries are harmless. */
export async function probeWorker(): Promise<WorkerProbe> {
  return {
    host: hostname(),
    pid: process.pid,
    attempt: activityInfo().attempt,
    answeredAt: new Date().toISOString(),
  };
}

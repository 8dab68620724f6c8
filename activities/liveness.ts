import { activityInfo, heartbeat } from '@temporalio/activity';
import { heartbeatEveryMs } from './act';

/**
 * Runs an activity's work on a heartbeat ticker when its proxy sets a heartbeat timeout, so a worker that
 * dies in the middle (SIGKILL, a lost host) is noticed within that timeout instead of the start-to-close
 * one, and another worker retries at once: a dead worker's permit request or lease release no longer
 * stalls the incident (or, for a lease, every other incident) for a minute. The work itself needs no
 * heartbeat details; a slow call cannot starve a ticker.
 */
export async function withLiveness<T>(work: () => Promise<T>): Promise<T> {
  const timeoutMs = activityInfo().heartbeatTimeoutMs;
  if (!timeoutMs) return await work();
  heartbeat();
  const ticker = setInterval(() => heartbeat(), heartbeatEveryMs(timeoutMs));
  try {
    return await work();
  } finally {
    clearInterval(ticker);
  }
}

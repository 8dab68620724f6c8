import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { HomeostatActivities } from '../../activities';
import type { ActionTimeouts, IncidentPolicy } from '../../core/model/incidentState';

/**
 * The incident's activity proxies, one per kind of work, each typed to the activities it may call and
 * with its own timeouts and retry policy. Options are not part of a workflow's history: changing them
 * here never breaks the replay of a running incident.
 */
type Activities = HomeostatActivities;

/**
 * Reads and decisions: quick, safe to retry. Like every activity but the actions they beat on a ticker
 * (activities/liveness.ts), so a worker that dies in one is retried within 10 s, not at start-to-close.
 */
export const reads = proxyActivities<
  Pick<
    Activities,
    'loadPolicy' | 'diagnoseIncident' | 'planRemediation' | 'readTopology' | 'checkHealth' | 'readPause'
  >
>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 6 },
});

/**
 * Gathering walks the dependency graph (up to a dozen services, several reads each) on a heartbeat
 * ticker (activities/liveness.ts), so a dead worker is noticed within 10 s, not at start-to-close.
 */
export const gathering = proxyActivities<Pick<Activities, 'gatherEvidence'>>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 6 },
});

/**
 * Permits and the pause: updates to the governor, which answers at once (a wait is an answer too). They
 * beat on a ticker (activities/liveness.ts), so a worker that dies mid-request is retried within 10 s.
 */
export const governor = proxyActivities<
  Pick<Activities, 'requestPermit' | 'waitOutPause' | 'claimRoot' | 'findSilence' | 'checkFlapping'>
>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 6 },
});

/**
 * Closing: releasing permits must reach the governor (a held lease blocks other incidents), so it keeps
 * trying for about half an hour; the workflow still ends with its outcome if it never does.
 */
export const release = proxyActivities<Pick<Activities, 'releasePermits' | 'releaseRoots'>>({
  startToCloseTimeout: '1 minute',
  // On a heartbeat ticker: a lease a dead worker was releasing is freed within seconds, not a minute.
  heartbeatTimeout: '10 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The outcome's copy outside Temporal: best effort, a few tries, never able to change the outcome. */
export const record = proxyActivities<Pick<Activities, 'recordOutcome'>>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 3 },
});

/** Used by histories recorded before the worker derived the action timeouts from its provider. */
export const LEGACY_ACTION_TIMEOUTS: ActionTimeouts = { startToCloseSeconds: 600, heartbeatSeconds: 10 };

/**
 * Actions wait for their change to take effect and heartbeat meanwhile, so a dead worker is noticed
 * within the heartbeat timeout and the action resumes on another; the provider's ledger (keyed by the
 * action id) makes the retry wait for — never repeat — the change. The timeouts come from the policy,
 * derived by the worker from its provider's own wait limits.
 *
 * `awaitCancellation`: a cancelled action is reported only once the activity has stopped, so the
 * compensation that follows knows the action is no longer changing anything.
 */
export function actions(policy: IncidentPolicy | undefined, opts: { awaitCancellation: boolean }) {
  const t = policy?.actionTimeouts ?? LEGACY_ACTION_TIMEOUTS;
  return proxyActivities<Pick<Activities, 'executeAction' | 'compensateStep'>>({
    startToCloseTimeout: `${t.startToCloseSeconds} seconds`,
    heartbeatTimeout: `${t.heartbeatSeconds} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 8 },
    ...(opts.awaitCancellation
      ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }
      : {}),
  });
}

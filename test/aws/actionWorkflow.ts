import {
  ActivityCancellationType,
  CancellationScope,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { HomeostatActivities } from '../../activities';
import type { ExecuteRequest } from '../../activities/act';
import type { CompensationKind } from '../../core/model/plan';
import type { ActionTimeouts } from '../../core/model/incidentState';
import type { ActionOutcome } from '../../core/model/signals';

/**
 * A workflow for the action timeout tests: it runs one real executeAction the way the incident workflow
 * does — the proxy's timeouts from loadPolicy's `actionTimeouts`, or the incident workflow's fallback for
 * histories without them — and, when it is cancelled mid-action, compensates the step without knowing its
 * outcome. Times are multiplied by `scale`, the same factor the test applies to the provider's poll interval.
 */
export interface ActionRunInput {
  req: ExecuteRequest;
  compensation: CompensationKind;
  /** The incident workflow's fallback when the policy has no actionTimeouts (10 minutes, 10 seconds). */
  fallback: ActionTimeouts;
  /** false: use the fallback even when the policy has timeouts (the proxy of histories recorded before). */
  usePolicy: boolean;
  scale: number;
}

export interface ActionRunResult {
  timeouts: ActionTimeouts;
  outcome?: ActionOutcome;
  /** Set when the workflow was cancelled while the action ran: what the compensation undid. */
  undone?: string[];
}

const decide = proxyActivities<HomeostatActivities>({ startToCloseTimeout: '1 minute' });

export async function actionUnderTest(input: ActionRunInput): Promise<ActionRunResult> {
  const policy = input.usePolicy ? await decide.loadPolicy() : undefined;
  const timeouts = policy?.actionTimeouts ?? input.fallback;
  const act = proxyActivities<HomeostatActivities>({
    startToCloseTimeout: timeouts.startToCloseSeconds * 1000 * input.scale,
    heartbeatTimeout: timeouts.heartbeatSeconds * 1000 * input.scale,
    // One attempt: a heartbeat timeout must show as a failure, not be papered over by a retry.
    retry: { maximumAttempts: 1 },
    // The compensation must know the action has stopped before it asks how it ended.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  try {
    return { timeouts, outcome: await act.executeAction(input.req) };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    const undone = await CancellationScope.nonCancellable(() =>
      act.compensateStep({
        actionId: input.req.actionId,
        kind: input.compensation,
        action: input.req.action,
      }),
    );
    return { timeouts, undone };
  }
}

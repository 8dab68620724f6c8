import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { activityInfo } from '@temporalio/activity';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import { GOVERNOR_WORKFLOW_TYPE, governorWorkflowId, type Pause } from '../core/model/governor';
import type { PermitDecision, PermitRelease, PermitRequest } from '../core/model/permits';
import {
  governorQuery,
  releasePermitsUpdate,
  requestPermitUpdate,
  waitOutPauseUpdate,
} from '../workflows/governorApi';
import type { ActivityDeps } from './deps';

/** The governor of this worker's task queue, started if nobody has started it yet. */
function startGovernor(taskQueue: string): WithStartWorkflowOperation<Workflow> {
  return new WithStartWorkflowOperation(GOVERNOR_WORKFLOW_TYPE, {
    workflowId: governorWorkflowId(taskQueue),
    taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/**
 * Sends an update to the governor, starting it if nobody has yet. The plain update comes first: with
 * the governor running (the usual case) it avoids update-with-start's extra work, which under a storm
 * of concurrent requests cut throughput by a third and doubled the slowest answers (bench/permits.ts).
 */
export async function updateGovernor<Ret, Arg>(
  client: Client,
  taskQueue: string,
  def: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  updateId?: string,
): Promise<Ret> {
  try {
    return await client.workflow
      .getHandle(governorWorkflowId(taskQueue))
      .executeUpdate(def, { args: [arg], ...(updateId ? { updateId } : {}) });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return await client.workflow.executeUpdateWithStart(def, {
      args: [arg],
      ...(updateId ? { updateId } : {}),
      startWorkflowOperation: startGovernor(taskQueue),
    });
  }
}

function requireClient(deps: ActivityDeps): Client {
  // A worker always has one; the guard keeps a mis-wired worker from acting without limits.
  if (!deps.client) throw new Error('this worker has no Temporal client for the governor');
  return deps.client;
}

export function governorActivities(deps: ActivityDeps) {
  return {
    /** The global pause, if set. No governor yet (nobody ever paused) means not paused. */
    async readPause(): Promise<Pause | null> {
      if (!deps.client) return null;
      try {
        return (
          await deps.client.workflow
            .getHandle(governorWorkflowId(activityInfo().taskQueue))
            .query(governorQuery)
        ).paused;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      }
    },

    /**
     * The pause, if set, with the incident registered to be signalled when it ends (one step, so a
     * resume between the read and the registration cannot be missed). Starts the governor if needed.
     */
    async waitOutPause(req: { workflowId: string }): Promise<Pause | null> {
      return await updateGovernor(requireClient(deps), activityInfo().taskQueue, waitOutPauseUpdate, req);
    },

    /**
     * Asks the governor for a permit to run one step. No update id: a "wait" answer must not be
     * replayed to the next ask; the governor itself counts a permit id once (a retry after a grant).
     */
    async requestPermit(req: PermitRequest): Promise<PermitDecision> {
      return await updateGovernor(requireClient(deps), activityInfo().taskQueue, requestPermitUpdate, req);
    },

    /** Frees the incident's blast-radius lease and reports how its remediation ended (the breaker). */
    async releasePermits(rel: PermitRelease): Promise<void> {
      await updateGovernor(
        requireClient(deps),
        activityInfo().taskQueue,
        releasePermitsUpdate,
        rel,
        `${rel.incidentId}/release`,
      );
    },
  };
}

import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import { GOVERNOR_WORKFLOW_TYPE, governorWorkflowId, type GovernorState } from '../core/model/governor';
import { governorQuery } from '../workflows/governorApi';

/** The governor of a task queue, started if nobody has started it yet. */
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
 * One function for the worker's activities, the operator facade, benches and tests alike.
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

/**
 * The governor's state, or null when it does not exist: nobody ever paused or acted, so there is no
 * pause, no open breaker and nothing in flight. A read never starts the governor.
 */
export async function readGovernor(client: Client, taskQueue: string): Promise<GovernorState | null> {
  try {
    return await client.workflow.getHandle(governorWorkflowId(taskQueue)).query(governorQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

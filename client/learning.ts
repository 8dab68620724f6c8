import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { governorWorkflowId } from '../core/model/governor';
import { INCIDENT_WORKFLOW_TYPE } from '../core/model/incident';
import type {
  FeedbackAnswer,
  FeedbackVerdict,
  LearningChange,
  LearningRevertRequest,
  LearningState,
} from '../core/model/learning';
import { feedbackUpdate, learningQuery, revertLearningUpdate } from '../workflows/governorApi';
import { SA_PLAYBOOK, SA_RESULT, SA_SERVICE } from '../workflows/searchAttributes';
import { updateGovernor } from './governor';
import { outcomeOf, type Outcome } from './outcome';

/**
 * Feedback on closed incidents and the learning it caused, through the governor of a task queue (which
 * keeps it: a closed incident cannot be signalled). Used by the CLI, the planner and the detector.
 */

export interface FeedbackInput {
  /** The incident's workflow id. */
  workflowId: string;
  verdict: FeedbackVerdict;
  by: string;
  reason: string;
}

/**
 * Checks that the incident exists, belongs to this deployment and has closed, then hands its facts
 * (service, playbook, result, close time from its search attributes) and the verdict to the governor,
 * starting the governor if nobody has yet. not-found: no such incident; rejected: the reason why not.
 */
export async function giveFeedback(
  client: Client,
  taskQueue: string,
  input: FeedbackInput,
): Promise<Outcome<FeedbackAnswer>> {
  const described = await outcomeOf(() => client.workflow.getHandle(input.workflowId).describe());
  if (!described.ok) return described;
  const info = described.value;
  const reject = (message: string): Outcome<FeedbackAnswer> => ({ ok: false, reason: 'rejected', message });
  if (info.type !== INCIDENT_WORKFLOW_TYPE) return reject(`${input.workflowId} is not an incident`);
  if (info.taskQueue !== taskQueue)
    return reject(`${input.workflowId} belongs to task queue ${info.taskQueue}, not ${taskQueue}`);
  const closedAt = info.closeTime;
  if (!closedAt || info.status.name === 'RUNNING')
    return reject(
      `${input.workflowId} is still open; feedback is for closed incidents (approve, abort or wait for it)`,
    );
  const service = info.typedSearchAttributes.get(SA_SERVICE);
  if (!service) return reject(`${input.workflowId} has no HomeostatService, so feedback cannot apply to it`);
  const playbook = info.typedSearchAttributes.get(SA_PLAYBOOK);
  const result = info.typedSearchAttributes.get(SA_RESULT);
  return await outcomeOf(() =>
    updateGovernor(client, taskQueue, feedbackUpdate, {
      incidentId: input.workflowId,
      verdict: input.verdict,
      by: input.by,
      reason: input.reason,
      service,
      ...(playbook ? { playbook } : {}),
      ...(result ? { result } : {}),
      closedAt: closedAt.toISOString(),
    }),
  );
}

/** Undoes one change (approvers only). not-found: no governor, so nothing was ever learned. */
export async function revertLearning(
  client: Client,
  taskQueue: string,
  req: LearningRevertRequest,
): Promise<Outcome<LearningChange>> {
  return await outcomeOf(() =>
    client.workflow.getHandle(governorWorkflowId(taskQueue)).executeUpdate(revertLearningUpdate, {
      args: [req],
    }),
  );
}

/** What feedback taught this deployment; null when there is no governor or it holds no feedback yet. */
export async function readLearning(client: Client, taskQueue: string): Promise<LearningState | null> {
  try {
    return await client.workflow.getHandle(governorWorkflowId(taskQueue)).query(learningQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

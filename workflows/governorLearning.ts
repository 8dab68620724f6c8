import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { GovernorLogEntry, GovernorState } from '../core/model/governor';
import type { IncidentPolicy } from '../core/model/incidentState';
import { DEFAULT_LEARNING_SETTINGS, emptyLearningState } from '../core/model/learning';
import { applyFeedback, feedbackProblem, revertChange, revertProblem } from '../core/playbooks/learning';
import { feedbackUpdate, learningQuery, revertLearningUpdate } from './governorApi';

/**
 * The governor's learning handlers (registered by governorWorkflow with one call; the rules are in
 * core/playbooks/learning.ts). Handlers only, no command of their own, so governors recorded before
 * learning existed replay unchanged.
 */

/** What the governor lends these handlers: its audit log, approver checks and the worker's policy. */
export interface LearningTools {
  record(kind: GovernorLogEntry['kind'], entry: Omit<GovernorLogEntry, 'at' | 'kind'>): void;
  approverOnly<T>(by: string, what: string, change: () => T | Promise<T>): Promise<T>;
  mustBeApprover(by: string, what: string): void;
  policy(): IncidentPolicy | undefined;
}

/**
 * `wrong` only ever adds caution (a human approves more often), so anyone who can reach Temporal may say
 * it; `right` and `noise` can loosen automation and detection, so only approvers may.
 */
const LOOSENING = 'give right or noise feedback (it can loosen automation or detection)';

export function registerLearning(state: GovernorState, tools: LearningTools): void {
  const refuse = (message: string): never => {
    throw ApplicationFailure.create({ message, nonRetryable: true });
  };

  setHandler(learningQuery, () => state.learning ?? null);

  setHandler(
    feedbackUpdate,
    async (req) => {
      const apply = () => {
        const answer = applyFeedback(
          (state.learning ??= emptyLearningState()),
          trimmed(req),
          tools.policy()?.learning ?? DEFAULT_LEARNING_SETTINGS,
          new Date().toISOString(),
        );
        tools.record('feedback', {
          by: answer.feedback.by,
          reason: `${req.verdict} on ${req.incidentId}: ${answer.feedback.reason}`,
          service: req.service,
        });
        return answer;
      };
      if (req.verdict === 'wrong') {
        // The settings come with the policy; a governor that just started waits for it.
        await condition(() => tools.policy() !== undefined);
        return apply();
      }
      return await tools.approverOnly(req.by.trim(), LOOSENING, apply);
    },
    {
      validator: (req) => {
        const problem = feedbackProblem(req);
        if (problem) throw new Error(problem);
        if (req.verdict !== 'wrong') tools.mustBeApprover(req.by.trim(), LOOSENING);
      },
    },
  );

  setHandler(
    revertLearningUpdate,
    (req) =>
      tools.approverOnly(req.by.trim(), 'revert what feedback changed', () => {
        // Checked again: another revert may have landed while this one waited for the policy.
        const problem = revertProblem(state.learning, req);
        if (problem) refuse(problem);
        const change = revertChange(
          state.learning!,
          { ...req, by: req.by.trim(), reason: req.reason.trim() },
          new Date().toISOString(),
        );
        tools.record('learning-revert', {
          by: change.reverted!.by,
          reason: `${change.id} (${change.kind}): ${change.reverted!.reason}`,
          service: change.service,
        });
        return change;
      }),
    {
      validator: (req) => {
        const problem = revertProblem(state.learning, req);
        if (problem) throw new Error(problem);
        tools.mustBeApprover(req.by.trim(), 'revert what feedback changed');
      },
    },
  );
}

function trimmed<T extends { by: string; reason: string }>(req: T): T {
  return { ...req, by: req.by.trim(), reason: req.reason.trim() };
}

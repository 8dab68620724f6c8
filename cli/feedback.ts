import type { Client } from '@temporalio/client';
import { toWorkflowId } from '../client/incidentId';
import { giveFeedback } from '../client/learning';
import type { HomeostatConfig } from '../core/model/config';
import { FEEDBACK_VERDICTS, type FeedbackAnswer, type FeedbackVerdict } from '../core/model/learning';

export const FEEDBACK_USAGE = 'homeostat feedback <incident> noise|right|wrong --by <who> --reason <why>';

export interface CommandValues {
  by?: string;
  reason?: string;
  json?: boolean;
}

/** Prints what is wrong with the command line and how to write it; exit code 2. */
export function usage(message: string, example: string): number {
  console.error(`${message}\n  usage: ${example}`);
  return 2;
}

/**
 * `homeostat feedback <incident> noise|right|wrong --by --reason`: tells the governor what a closed
 * incident really was; prints every change the feedback made (or why none), each with its id for
 * `homeostat learning revert`.
 */
export async function feedbackCommand(
  client: Client,
  cfg: HomeostatConfig,
  positionals: string[],
  values: CommandValues,
): Promise<number> {
  const [target, verdict, extra] = positionals;
  if (!target || !verdict)
    return usage('feedback needs an incident and a verdict (see `homeostat list --all`)', FEEDBACK_USAGE);
  if (extra !== undefined)
    return usage(`feedback takes one incident and one verdict (got '${extra}' too)`, FEEDBACK_USAGE);
  if (!(FEEDBACK_VERDICTS as readonly string[]).includes(verdict))
    return usage(`the verdict must be noise, right or wrong (got '${verdict}')`, FEEDBACK_USAGE);
  const by = values.by?.trim();
  const reason = values.reason?.trim();
  if (!by || !reason)
    return usage(
      'feedback needs --by <who> and --reason <why>, e.g. --by alice --reason "the release was fine; the database was slow"',
      FEEDBACK_USAGE,
    );
  const workflowId = toWorkflowId(target);
  const answer = await giveFeedback(client, cfg.worker.taskQueue, {
    workflowId,
    verdict: verdict as FeedbackVerdict,
    by,
    reason,
  });
  if (!answer.ok) {
    console.error(
      answer.reason === 'not-found'
        ? `no incident ${target} (\`homeostat list --all\` shows the incidents there are)`
        : `refused: ${answer.message}`,
    );
    return 1;
  }
  console.log(values.json ? JSON.stringify(answer.value, null, 2) : formatAnswer(answer.value));
  return 0;
}

export function formatAnswer(a: FeedbackAnswer): string {
  const lines = [`feedback recorded: ${a.feedback.verdict} on ${a.feedback.incidentId} by ${a.feedback.by}`];
  for (const c of a.reverted) lines.push(`  undone ${c.id} (${c.kind}): ${c.reverted?.reason ?? ''}`);
  for (const c of a.changes) lines.push(`  ${c.id} (${c.kind}): ${c.explanation}`);
  for (const note of a.notes) lines.push(`  no change: ${note}`);
  if (a.changes.length > 0)
    lines.push('  (undo one with `homeostat learning revert <id> --by <approver> --reason <why>`)');
  return lines.join('\n');
}

import type { Client } from '@temporalio/client';
import { readLearning, revertLearning } from '../client/learning';
import type { HomeostatConfig } from '../core/model/config';
import type { LearningState } from '../core/model/learning';
import { sensitivityFor } from '../core/playbooks/learning';
import { usage, type CommandValues } from './feedback';

export const LEARNING_USAGE = 'homeostat learning [revert <id> --by <approver> --reason <why>]';

/**
 * `homeostat learning`: every change feedback made (active and reverted) and the detector thresholds it
 * moved; `homeostat learning revert <id> --by --reason` undoes one (approvers only).
 */
export async function learningCommand(
  client: Client,
  cfg: HomeostatConfig,
  positionals: string[],
  values: CommandValues,
): Promise<number> {
  const [sub, id, extra] = positionals;
  const taskQueue = cfg.worker.taskQueue;
  if (sub === undefined) {
    const state = await readLearning(client, taskQueue);
    console.log(
      values.json
        ? JSON.stringify(state, null, 2)
        : formatLearning(state, cfg.detector.sensitivity, cfg.learning.maxSensitivityFactor),
    );
    return 0;
  }
  if (sub !== 'revert') return usage(`unknown learning command '${sub}'`, LEARNING_USAGE);
  if (!id) return usage('learning revert needs a change id (see `homeostat learning`)', LEARNING_USAGE);
  if (extra !== undefined)
    return usage(`learning revert takes one change id (got '${extra}' too)`, LEARNING_USAGE);
  const by = values.by?.trim();
  const reason = values.reason?.trim();
  if (!by || !reason)
    return usage('learning revert needs --by <approver> and --reason <why>', LEARNING_USAGE);
  const result = await revertLearning(client, taskQueue, { id, by, reason });
  if (!result.ok) {
    console.error(
      result.reason === 'not-found'
        ? `no learning change ${id}: nothing was learned yet (no governor)`
        : `refused: ${result.message}`,
    );
    return 1;
  }
  console.log(`${id} reverted by ${by}: ${reason}\n  was: ${result.value.explanation}`);
  return 0;
}

/** The changes newest first, then the detector thresholds feedback moved. */
export function formatLearning(
  state: LearningState | null,
  baseSensitivity: number,
  maxFactor: number,
): string {
  if (!state || state.changes.length === 0) {
    const given = Object.keys(state?.feedback ?? {}).length;
    return given === 0 ? 'no feedback yet' : `${given} feedback(s), no changes`;
  }
  const lines: string[] = [];
  for (const c of [...state.changes].reverse()) {
    const status = c.reverted ? `reverted by ${c.reverted.by} (${c.reverted.reason})` : 'active';
    lines.push(`${c.id}  ${c.at}  ${c.kind}  ${c.service}${c.playbook ? `/${c.playbook}` : ''}  ${status}`);
    lines.push(`    ${c.explanation}`);
  }
  const raised = [...new Set(state.changes.filter((c) => c.kind === 'sensitivity').map((c) => c.service))];
  for (const service of raised) {
    const now = sensitivityFor(state, service, baseSensitivity, maxFactor);
    if (now !== baseSensitivity)
      lines.push(`detector threshold of ${service}: ${now} (configured ${baseSensitivity})`);
  }
  return lines.join('\n');
}

import { TagResourceCommand } from '@aws-sdk/client-ecs';
import type { AwsClients } from './clients';
import type { CellState } from './cellState';
import { aws } from './errors';
import { tagSafeActionId } from './tagSafe';

/**
 * The action ledger of one cell, kept as tags on its ECS service so it lives with the thing it describes
 * and survives any worker. Written *before* the mutating call (state `sent`) and marked `done` after the
 * wait, it lets a retried action (same actionId) tell "my update already went out, just wait" from "not
 * yet sent", and return the `before` of the first attempt rather than the state it itself caused.
 * Only the latest action per cell is remembered; that is all a retry needs. It is also what a
 * compensation of a step cancelled mid-flight relies on: sent again with the step's id, the step waits
 * for the rollout it started and returns its first `before` — as long as no other action has touched
 * the cell since (activities/act.ts carries the learned outcome across its own retries for that reason).
 *
 * UpdateService has no `startedBy` and ECS deployments record no caller, so these tags are also how the
 * deploy history recognises Homeostat's own deployments (`by: homeostat:<actionId>`).
 */

const KEY = {
  actionId: 'homeostat:action',
  kind: 'homeostat:action-kind',
  state: 'homeostat:action-state',
  beforeRelease: 'homeostat:before-release',
  beforeDesired: 'homeostat:before-desired',
  beforeDeployment: 'homeostat:before-deployment',
  afterRelease: 'homeostat:after-release',
} as const;

export type ActionKind = 'set-release' | 'restart' | 'scale';

export interface LedgerEntry {
  actionId: string;
  kind: ActionKind;
  state: 'sent' | 'done';
  beforeRelease: string;
  beforeDesired: number;
  beforeDeployment: string;
  afterRelease: string;
}

export function readLedger(tags: Record<string, string>): LedgerEntry | undefined {
  const actionId = tags[KEY.actionId];
  if (!actionId) return undefined;
  return {
    actionId,
    kind: (tags[KEY.kind] ?? 'set-release') as ActionKind,
    state: tags[KEY.state] === 'done' ? 'done' : 'sent',
    beforeRelease: tags[KEY.beforeRelease] ?? '',
    beforeDesired: Number(tags[KEY.beforeDesired] ?? 0),
    beforeDeployment: tags[KEY.beforeDeployment] ?? '',
    afterRelease: tags[KEY.afterRelease] ?? '',
  };
}

/** The ledger entry of this action on this cell, if the cell's last action was this one. */
export function ledgerFor(state: CellState, actionId: string): LedgerEntry | undefined {
  const entry = readLedger(state.tags);
  return entry?.actionId === tagSafeActionId(actionId) ? entry : undefined;
}

export async function writeLedger(
  clients: AwsClients,
  state: CellState,
  entry: LedgerEntry,
  signal?: AbortSignal,
): Promise<void> {
  const tags: Record<string, string> = {
    [KEY.actionId]: tagSafeActionId(entry.actionId),
    [KEY.kind]: entry.kind,
    [KEY.state]: entry.state,
    [KEY.beforeRelease]: entry.beforeRelease,
    [KEY.beforeDesired]: String(entry.beforeDesired),
    [KEY.beforeDeployment]: entry.beforeDeployment,
    [KEY.afterRelease]: entry.afterRelease,
  };
  await aws(
    `TagResource ${state.cell.service}`,
    (options) =>
      clients.ecs.send(
        new TagResourceCommand({
          resourceArn: state.arn,
          tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
        }),
        options,
      ),
    signal,
  );
}

export async function markLedgerDone(
  clients: AwsClients,
  state: CellState,
  signal?: AbortSignal,
): Promise<void> {
  await aws(
    `TagResource ${state.cell.service}`,
    (options) =>
      clients.ecs.send(
        new TagResourceCommand({ resourceArn: state.arn, tags: [{ key: KEY.state, value: 'done' }] }),
        options,
      ),
    signal,
  );
}

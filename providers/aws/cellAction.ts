import type { ActionRequest } from '../types';
import type { AwsClients } from './clients';
import { primaryDeployment, type CellState } from './cellState';
import { ledgerFor, markLedgerDone, writeLedger, type ActionKind, type LedgerEntry } from './ledger';
import { waitForSteady, type SteadyWant, type WaitOptions } from './steadyState';

/**
 * The check-before-act skeleton shared by setRelease, restart and scale on ECS cells.
 *
 * For each cell: if its ledger says this action is done, nothing happens (a repeat). If the world
 * already shows the change — because this action's earlier attempt sent it before the worker died, or
 * because someone else did — no call is made and we only wait. Otherwise the ledger is written, the
 * one mutating call goes out, and we wait. UpdateService has no client token, so this check is the
 * only thing standing between a retry and a second deployment.
 */

export interface CellActionSpec {
  kind: ActionKind;
  /** The cell already looks the way this action wants (given this action's ledger entry, if any). */
  isDone(state: CellState, mine: LedgerEntry | undefined): boolean;
  /** The steady state to wait for after acting. */
  want(state: CellState, mine: LedgerEntry | undefined): SteadyWant;
  /** The release the cell will run afterwards (for the ledger and the deploy history). */
  afterRelease(state: CellState): string;
  /** Sends the one mutating call (with the request's abort signal). */
  act(state: CellState): Promise<void>;
  /** Progress line after the call went out. */
  describeAct(state: CellState): string;
}

export interface CellResult {
  state: CellState;
  /** What the cell was before this action first touched it. */
  before: { release: string; desiredCount: number };
  /** sent: this call acted; resumed: an earlier attempt acted; repeat: already done; noop: nothing to do. */
  how: 'sent' | 'resumed' | 'repeat' | 'noop';
}

export async function runCellAction(
  clients: AwsClients,
  req: ActionRequest,
  states: CellState[],
  spec: CellActionSpec,
  wait: WaitOptions,
): Promise<CellResult[]> {
  const results: CellResult[] = [];
  for (const state of states) {
    const mine = ledgerFor(state, req.actionId);
    const before = mine
      ? { release: mine.beforeRelease, desiredCount: mine.beforeDesired }
      : { release: state.taskDefinition, desiredCount: state.desiredCount };
    if (mine?.state === 'done') {
      results.push({ state, before, how: 'repeat' });
    } else if (spec.isDone(state, mine)) {
      results.push({ state, before, how: mine ? 'resumed' : 'noop' });
    } else {
      const entry: LedgerEntry = {
        actionId: req.actionId,
        kind: spec.kind,
        state: 'sent',
        beforeRelease: before.release,
        beforeDesired: before.desiredCount,
        beforeDeployment: mine?.beforeDeployment ?? primaryDeployment(state)?.id ?? '',
        afterRelease: spec.afterRelease(state),
      };
      // Ledger first: if we die between the two calls, the retry still knows the true `before`.
      await writeLedger(clients, state, entry, req.signal);
      await spec.act(state);
      results.push({ state, before, how: 'sent' });
      req.onProgress?.(spec.describeAct(state));
    }
  }

  const waiting = results.filter((r) => r.how !== 'repeat');
  const settled = await waitForSteady(
    clients,
    waiting.map((r) => ({ cell: r.state.cell, want: spec.want(r.state, ledgerFor(r.state, req.actionId)) })),
    { ...wait, onProgress: req.onProgress, signal: req.signal },
  );
  for (const [i, r] of waiting.entries()) {
    if (r.how === 'sent' || r.how === 'resumed') await markLedgerDone(clients, r.state, req.signal);
    r.state = settled[i] ?? r.state;
  }
  return results;
}

/** True when this call (or an earlier attempt of the same action) changed something. */
export function anyApplied(results: readonly CellResult[]): boolean {
  return results.some((r) => r.how === 'sent' || r.how === 'resumed');
}

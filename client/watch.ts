import type { Client, WorkflowHandle } from '@temporalio/client';
import { INCIDENT_WORKFLOW_TYPE } from '../core/model/incident';
import type { IncidentState } from '../core/model/incidentState';
import { stateQuery } from '../workflows/api';

const COLORS = process.stdout.isTTY
  ? {
      dim: '\x1b[2m',
      bold: '\x1b[1m',
      green: '\x1b[32m',
      red: '\x1b[31m',
      yellow: '\x1b[33m',
      reset: '\x1b[0m',
    }
  : { dim: '', bold: '', green: '', red: '', yellow: '', reset: '' };

const OUTCOME_COLOR: Record<string, string> = {
  recovered: COLORS.green,
  escalated: COLORS.red,
  aborted: COLORS.yellow,
  noise: COLORS.dim,
};

export interface WatchOptions {
  print?: (line: string) => void;
  /** Link base of the Temporal UI, to print each incident's page. */
  uiUrl?: string;
  namespace?: string;
  /** Stops watching when this returns true. */
  until?: () => boolean;
}

/**
 * Follows one incident live: prints each new timeline entry as it happens, then the outcome and the
 * time to recovery. Returns the final state. Reads only the `state` query, so it can run anywhere.
 */
export async function watchIncident(handle: WorkflowHandle, opts: WatchOptions = {}): Promise<IncidentState> {
  const print = opts.print ?? ((l: string) => console.log(l));
  let shown = 0;
  let last: IncidentState | undefined;
  if (opts.uiUrl) {
    print(
      `${COLORS.dim}  ${opts.uiUrl}/namespaces/${opts.namespace ?? 'default'}/workflows/${encodeURIComponent(handle.workflowId)}${COLORS.reset}`,
    );
  }
  for (;;) {
    try {
      last = await handle.query(stateQuery);
    } catch {
      // The worker may be restarting; keep the last view and try again.
    }
    if (last) {
      // The timeline keeps only its newest entries: count entries ever written, not entries kept.
      const total = (last.timelineDropped ?? 0) + last.timeline.length;
      for (const t of last.timeline.slice(Math.max(0, last.timeline.length - (total - shown)))) {
        print(`  ${COLORS.dim}${t.at.slice(11, 19)}${COLORS.reset} ${t.phase.padEnd(17)} ${t.event}`);
      }
      shown = total;
      if (last.outcome) {
        const mttr =
          (Date.parse(last.timeline[last.timeline.length - 1]!.at) - Date.parse(last.input.openedAt)) / 1000;
        print(
          `  ${COLORS.bold}${OUTCOME_COLOR[last.outcome] ?? ''}${last.outcome.toUpperCase()}${COLORS.reset} after ${mttr.toFixed(0)} s — ${last.conclusion}`,
        );
        return last;
      }
    }
    if (opts.until?.()) return last!;
    await new Promise((r) => setTimeout(r, 700));
  }
}

/** Waits for the next incident to open after `since` and returns its handle. */
export async function nextIncident(
  client: Client,
  since: Date,
  until?: () => boolean,
): Promise<WorkflowHandle | undefined> {
  for (;;) {
    const query = `WorkflowType="${INCIDENT_WORKFLOW_TYPE}" AND StartTime > "${since.toISOString()}"`;
    for await (const wf of client.workflow.list({ query }))
      // The workflow id alone: an incident that continues as new is followed into its newest run.
      return client.workflow.getHandle(wf.workflowId);
    if (until?.()) return undefined;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

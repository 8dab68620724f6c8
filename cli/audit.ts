import type { Client } from '@temporalio/client';
import { formatAudit, mergeAudit } from '../client/audit/merge';
import { MAX_AUDITED_INCIDENTS, readAuditSources } from '../client/audit/read';
import type { Operator } from '../client/operator';
import { DurationError, sinceDate } from '../client/stats/since';

export interface AuditOptions {
  since?: string;
  who?: string;
  json: boolean;
}

export const DEFAULT_AUDIT_WINDOW = '7d';

/**
 * `homeostat audit`: every human decision (the governor's log, approvals and aborts of incidents) and
 * every action taken, across incidents, oldest first. Returns the exit code: 2 for a bad --since.
 */
export async function auditCommand(client: Client, operator: Operator, opts: AuditOptions): Promise<number> {
  const window = opts.since ?? DEFAULT_AUDIT_WINDOW;
  let since: Date;
  try {
    since = sinceDate(window);
  } catch (err) {
    if (!(err instanceof DurationError)) throw err;
    console.error(err.message);
    return 2;
  }
  const sources = await readAuditSources(client, operator, since);
  const records = mergeAudit(sources.governorLog, sources.incidents, {
    since,
    ...(opts.who ? { who: opts.who } : {}),
  });
  if (opts.json) {
    console.log(
      JSON.stringify({ since: since.toISOString(), records, unreadable: sources.unreadable }, null, 2),
    );
    return 0;
  }
  console.log(
    records.length
      ? formatAudit(records)
      : `nothing in the last ${window}${opts.who ? ` by ${opts.who}` : ''}`,
  );
  for (const u of sources.unreadable) console.error(`not read: ${u.workflowId}: ${u.why}`);
  if (sources.truncated)
    console.error(
      `only the newest ${MAX_AUDITED_INCIDENTS} incidents were read: narrow --since to see older ones`,
    );
  return 0;
}

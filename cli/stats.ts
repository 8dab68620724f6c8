import type { Client } from '@temporalio/client';
import { aggregate, formatStats } from '../client/stats/aggregate';
import { DEFAULT_CLOSED_LIMIT, readClosedIncidents } from '../client/stats/read';
import { DurationError, sinceDate } from '../client/stats/since';

export interface StatsOptions {
  since?: string;
  service?: string;
  json: boolean;
}

export const DEFAULT_STATS_WINDOW = '30d';

/**
 * `homeostat stats`: closed incidents by outcome, success rate and MTTR per playbook and failure
 * class, from Temporal's visibility store (every incident of the namespace, like `list`). Returns the
 * exit code: 2 for a bad --since.
 */
export async function statsCommand(client: Client, opts: StatsOptions): Promise<number> {
  const window = opts.since ?? DEFAULT_STATS_WINDOW;
  let since: Date;
  try {
    since = sinceDate(window);
  } catch (err) {
    if (!(err instanceof DurationError)) throw err;
    console.error(err.message);
    return 2;
  }
  const incidents = await readClosedIncidents(client, {
    since,
    ...(opts.service ? { service: opts.service } : {}),
  });
  const stats = aggregate(incidents);
  const scope = `the last ${window}${opts.service ? ` on ${opts.service}` : ''}`;
  console.log(
    opts.json
      ? JSON.stringify({ since: since.toISOString(), service: opts.service ?? null, ...stats }, null, 2)
      : formatStats(stats, scope),
  );
  if (incidents.length >= DEFAULT_CLOSED_LIMIT)
    console.error(
      `only the newest ${DEFAULT_CLOSED_LIMIT} incidents were counted: narrow --since for exact figures`,
    );
  return 0;
}

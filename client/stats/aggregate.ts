import { OUTCOMES, type Outcome } from '../../core/model/incidentState';

/**
 * What an incident's memo says about how it ended (workflows/incident/closing.ts outcomeMemo). Read
 * from Temporal's visibility store, so statistics need neither a worker nor a database of our own.
 */
export interface OutcomeMemo {
  outcome: Outcome;
  conclusion?: string;
  failureClass?: string;
  playbook?: string;
  closedAt: string;
  durationSeconds: number;
  steps?: number;
  /** Each action's kind and final step status; absent in incidents closed before it was recorded. */
  actions?: Array<{ kind: string; status: string }>;
}

/** One closed incident as visibility lists it; `memo` is absent where the workflow never wrote one. */
export interface ClosedIncident {
  workflowId: string;
  /** Temporal's status (COMPLETED, TERMINATED, …): a terminated incident has no outcome memo. */
  status: string;
  service?: string;
  closeTime?: string;
  memo?: OutcomeMemo;
}

export type OutcomeCounts = Record<Outcome, number>;

export interface GroupStats {
  /** The playbook or the failure class; `none` for incidents that had none (noise, no plan). */
  name: string;
  incidents: number;
  byOutcome: OutcomeCounts;
  /** recovered / (recovered + escalated + aborted); null when none of those. Noise had nothing to fix. */
  successRate: number | null;
  /** Time to recovery of the recovered incidents (seconds); null when none recovered. */
  mttrMedianSeconds: number | null;
  mttrP90Seconds: number | null;
}

export interface ActionCount {
  kind: string;
  /** The step's final status: done, failed, compensated, … */
  result: string;
  count: number;
}

export interface IncidentStats {
  /** Closed incidents with an outcome (the figures below are over these). */
  incidents: number;
  /** Closed without an outcome memo (terminated by hand, or closed before outcomes were kept). */
  withoutOutcome: number;
  overall: GroupStats;
  perPlaybook: GroupStats[];
  perFailureClass: GroupStats[];
  actions: ActionCount[];
}

export const NONE = 'none';

const zeroCounts = (): OutcomeCounts => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;

/** Nearest-rank percentile (p in 0..100) of ascending values: always a value that was observed. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function groupStats(name: string, memos: readonly OutcomeMemo[]): GroupStats {
  const byOutcome = zeroCounts();
  for (const m of memos) byOutcome[m.outcome] += 1;
  const attempted = byOutcome.recovered + byOutcome.escalated + byOutcome.aborted;
  const recoveries = memos
    .filter((m) => m.outcome === 'recovered')
    .map((m) => m.durationSeconds)
    .sort((a, b) => a - b);
  return {
    name,
    incidents: memos.length,
    byOutcome,
    successRate: attempted === 0 ? null : byOutcome.recovered / attempted,
    mttrMedianSeconds: median(recoveries),
    mttrP90Seconds: percentile(recoveries, 90),
  };
}

function groupBy(memos: readonly OutcomeMemo[], keyOf: (m: OutcomeMemo) => string): GroupStats[] {
  const groups = new Map<string, OutcomeMemo[]>();
  for (const m of memos) groups.set(keyOf(m), [...(groups.get(keyOf(m)) ?? []), m]);
  return [...groups]
    .map(([name, group]) => groupStats(name, group))
    .sort((a, b) => b.incidents - a.incidents || a.name.localeCompare(b.name));
}

/** Counts of actions by kind and final status, in a stable order. */
export function countActions(memos: readonly OutcomeMemo[]): ActionCount[] {
  const counts = new Map<string, ActionCount>();
  for (const { kind, status } of memos.flatMap((m) => m.actions ?? [])) {
    const key = `${kind}\u0000${status}`;
    const entry = counts.get(key) ?? { kind, result: status, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.result.localeCompare(b.result),
  );
}

/** Incidents by outcome, success rate and MTTR overall, per playbook and per failure class. */
export function aggregate(incidents: readonly ClosedIncident[]): IncidentStats {
  const memos = incidents.flatMap((i) => (i.memo ? [i.memo] : []));
  return {
    incidents: memos.length,
    withoutOutcome: incidents.length - memos.length,
    overall: groupStats('all', memos),
    perPlaybook: groupBy(memos, (m) => m.playbook ?? NONE),
    perFailureClass: groupBy(memos, (m) => m.failureClass ?? NONE),
    actions: countActions(memos),
  };
}

/** Seconds for people: 42s, 7m05s, 2h03m. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const rate = (r: number | null): string => (r === null ? '-' : `${Math.round(r * 100)}%`);

function table(title: string, groups: readonly GroupStats[]): string[] {
  const header = [title, 'incidents', ...OUTCOMES, 'success', 'MTTR p50', 'MTTR p90'];
  const rows = groups.map((g) => [
    g.name,
    String(g.incidents),
    ...OUTCOMES.map((o) => String(g.byOutcome[o])),
    rate(g.successRate),
    formatSeconds(g.mttrMedianSeconds),
    formatSeconds(g.mttrP90Seconds),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The statistics as plain text for a terminal. */
export function formatStats(stats: IncidentStats, window: string): string {
  if (stats.incidents === 0 && stats.withoutOutcome === 0) return `no closed incidents in ${window}`;
  const o = stats.overall;
  const lines = [
    `${stats.incidents} closed incident(s) in ${window}: ` +
      OUTCOMES.map((k) => `${o.byOutcome[k]} ${k}`).join(', ') +
      (stats.withoutOutcome ? ` (+${stats.withoutOutcome} without an outcome, e.g. terminated)` : ''),
    `success rate ${rate(o.successRate)} (recovered of recovered+escalated+aborted); ` +
      `MTTR median ${formatSeconds(o.mttrMedianSeconds)}, p90 ${formatSeconds(o.mttrP90Seconds)}`,
    '',
    ...table('playbook', stats.perPlaybook),
    '',
    ...table('failure class', stats.perFailureClass),
  ];
  if (stats.actions.length > 0) {
    lines.push('', 'actions:');
    for (const a of stats.actions) lines.push(`  ${a.kind} ${a.result}: ${a.count}`);
  }
  return lines.join('\n');
}

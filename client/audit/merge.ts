import type { GovernorLogEntry } from '../../core/model/governor';
import type { AuditEntry, StepRecord } from '../../core/model/incidentState';

/** The identity actions are taken under: Homeostat itself, acting on a plan (approved or not). */
export const AUTOMATION = 'homeostat';

/** One line of the audit: a human decision or an action, with who, why and where. */
export interface AuditRecord {
  at: string;
  /** approve, abort, reject, pause, resume, breaker-reset, … or `action` for a step taken. */
  kind: string;
  by: string;
  reason?: string;
  /** The incident's workflow id; absent for decisions on the governor (pause, resume, …). */
  incident?: string;
  service?: string;
  /** Anything else worth a reader's eye: the action and its status, a decision's extra fields. */
  detail?: string;
}

/** What the audit reads of one incident: its decisions and its steps. */
export interface IncidentAuditSource {
  workflowId: string;
  service: string;
  approvals: AuditEntry[];
  steps: StepRecord[];
}

export interface AuditFilter {
  since?: Date;
  /** Only this person's entries (case-insensitive); `homeostat` selects the actions. */
  who?: string;
}

const GOVERNOR_FIELDS = new Set(['at', 'kind', 'by', 'reason', 'service']);

/**
 * A governor log entry as a record. Kinds are printed as they come (other features add their own,
 * e.g. silences), and fields this code does not know end up in `detail`, so nothing is hidden.
 */
export function fromGovernor(entry: GovernorLogEntry): AuditRecord {
  const extra = Object.entries(entry as unknown as Record<string, unknown>)
    .filter(([k, v]) => !GOVERNOR_FIELDS.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return {
    at: entry.at,
    kind: String(entry.kind),
    by: entry.by,
    reason: entry.reason,
    ...(entry.service ? { service: entry.service } : {}),
    ...(extra.length ? { detail: extra.join(' ') } : {}),
  };
}

/** An incident's decisions (accepted and refused) and the actions it took. */
export function fromIncident(source: IncidentAuditSource): AuditRecord[] {
  const base = { incident: source.workflowId, service: source.service };
  const decisions = source.approvals.map((a): AuditRecord => ({
    ...base,
    at: a.at,
    kind: a.kind,
    by: a.by,
    reason: a.reason,
    detail: `via ${a.via}${a.fastPath ? ', fast path' : ''}`,
  }));
  const actions = source.steps.map((s): AuditRecord => ({
    ...base,
    at: s.startedAt,
    kind: 'action',
    by: AUTOMATION,
    reason: `${s.stage}: ${s.description}`,
    service: s.action.service,
    detail: `${s.action.kind} ${s.stepId} → ${s.status}${s.outcome ? ` (${s.outcome.summary})` : ''}`,
  }));
  return [...decisions, ...actions];
}

/** Every record from the governor and the incidents, filtered, oldest first (ties keep their order). */
export function mergeAudit(
  governorLog: readonly GovernorLogEntry[],
  incidents: readonly IncidentAuditSource[],
  filter: AuditFilter = {},
): AuditRecord[] {
  const who = filter.who?.trim().toLowerCase();
  const since = filter.since?.getTime();
  return [...governorLog.map(fromGovernor), ...incidents.flatMap(fromIncident)]
    .filter((r) => since === undefined || Date.parse(r.at) >= since)
    .filter((r) => !who || r.by.toLowerCase() === who)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => Date.parse(a.r.at) - Date.parse(b.r.at) || a.i - b.i)
    .map(({ r }) => r);
}

/** One line per record for a terminal. */
export function formatAudit(records: readonly AuditRecord[]): string {
  return records
    .map((r) =>
      [
        r.at,
        r.kind,
        r.by,
        r.incident ?? (r.service ? `service ${r.service}` : 'governor'),
        r.reason ? `"${r.reason}"` : '',
        r.detail ?? '',
      ]
        .filter(Boolean)
        .join('  '),
    )
    .join('\n');
}

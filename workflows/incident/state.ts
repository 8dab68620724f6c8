import type { Alert } from '../../core/model/alert';
import { alertIdentity } from '../../core/model/alert';
import type { Evidence } from '../../core/model/diagnosis';
import type { AlertBatch, IncidentInput } from '../../core/model/incident';
import type {
  AuditEntry,
  EvidenceSummary,
  IncidentState,
  Phase,
  TimelineEntry,
} from '../../core/model/incidentState';

/**
 * Pure state transitions of an incident, kept apart from the workflow so they are easy to read and test.
 * Every list here is bounded: a storm of alerts or of refused signals changes counts, not sizes.
 */

/** Alert fingerprints tracked by name (firing and resolved each); more firing ones are only counted. */
export const MAX_TRACKED_ALERTS = 100;
/** Alert identities remembered to ignore re-deliveries (older re-deliveries are rare and harmless to count). */
export const MAX_SEEN_ALERTS = 1000;
/** Timeline entries kept (the newest); the query and the report stay small for long incidents. */
export const MAX_TIMELINE = 100;
/** Refused approve/abort signals kept in the audit list (accepted decisions are always kept). */
export const MAX_REFUSALS = 20;

export function initialState(input: IncidentInput, workflowId: string): IncidentState {
  return {
    input,
    workflowId,
    phase: 'triage',
    severity: input.severity,
    firingAlerts: [],
    resolvedAlerts: [],
    alertsSeen: 0,
    plansMade: 0,
    steps: [],
    approvals: [],
    fastPath: false,
    timeline: [],
  };
}

/** Alert identities seen lately, oldest first, bounded to MAX_SEEN_ALERTS. */
export class SeenAlerts {
  private readonly ids: Set<string>;
  constructor(initial: readonly string[] = []) {
    this.ids = new Set(initial.slice(-MAX_SEEN_ALERTS));
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > MAX_SEEN_ALERTS) this.ids.delete(this.ids.values().next().value as string);
  }
  toArray(): string[] {
    return [...this.ids];
  }
}

/**
 * Applies a delivery of alerts; returns how many were new. An alert already seen in the same status
 * (same fingerprint, start and status) changes nothing, so re-deliveries are harmless.
 */
export function applyAlerts(state: IncidentState, batch: AlertBatch, seen: SeenAlerts): number {
  let fresh = 0;
  for (const alert of batch.alerts) {
    const id = alertIdentity(alert);
    if (seen.has(id)) continue;
    seen.add(id);
    fresh++;
    state.alertsSeen++;
    applyOne(state, alert);
  }
  return fresh;
}

function applyOne(state: IncidentState, alert: Alert): void {
  const fp = alert.fingerprint;
  if (alert.status === 'firing') {
    state.resolvedAlerts = state.resolvedAlerts.filter((f) => f !== fp);
    if (state.firingAlerts.includes(fp)) return;
    if (state.firingAlerts.length < MAX_TRACKED_ALERTS) state.firingAlerts.push(fp);
    else state.firingUntracked = (state.firingUntracked ?? 0) + 1;
  } else {
    state.firingAlerts = state.firingAlerts.filter((f) => f !== fp);
    if (state.resolvedAlerts.includes(fp)) return;
    state.resolvedAlerts.push(fp);
    if (state.resolvedAlerts.length > MAX_TRACKED_ALERTS) state.resolvedAlerts.shift();
  }
}

/**
 * True when every alert that fired has resolved (and at least one arrived). Untracked firing alerts
 * (beyond MAX_TRACKED_ALERTS) keep it false: the incident never ends as noise on a guess.
 */
export function allResolved(state: IncidentState): boolean {
  return state.alertsSeen > 0 && state.firingAlerts.length === 0 && !state.firingUntracked;
}

/** Appends to the timeline, letting the oldest entries go past MAX_TIMELINE. */
export function appendTimeline(state: IncidentState, entry: TimelineEntry): void {
  state.timeline.push(entry);
  const excess = state.timeline.length - MAX_TIMELINE;
  if (excess > 0) {
    state.timeline.splice(0, excess);
    state.timelineDropped = (state.timelineDropped ?? 0) + excess;
  }
}

/** Records a decision; refused ones beyond MAX_REFUSALS drop the oldest refused entry (accepted stay). */
export function appendAudit(state: IncidentState, entry: AuditEntry): void {
  state.approvals.push(entry);
  if (entry.kind !== 'reject') return;
  const refused = state.approvals.filter((a) => a.kind === 'reject');
  if (refused.length <= MAX_REFUSALS) return;
  state.approvals.splice(state.approvals.indexOf(refused[0]!), 1);
  state.refusalsDropped = (state.refusalsDropped ?? 0) + 1;
}

/** Counts and size of gathered evidence: what the state keeps instead of the evidence itself. */
export function summariseEvidence(evidence: Evidence): EvidenceSummary {
  return {
    gatheredAt: evidence.gatheredAt,
    bytes: JSON.stringify(evidence).length,
    services: evidence.services.map((s) => ({
      service: s.service,
      series: s.series.length,
      deployments: s.deployments.length,
      targets: s.topology.targets.length,
    })),
    ...(evidence.unknownDependencies ? { unknownDependencies: evidence.unknownDependencies } : {}),
  };
}

export const TERMINAL: readonly Phase[] = ['recovered', 'escalated', 'aborted', 'noise'];

/** The line the Temporal UI shows as the incident's current details. */
export function statusLine(state: IncidentState): string {
  const d = state.diagnosis;
  const lines = [`**${state.phase}** — ${state.input.title}`];
  if (d) lines.push(`diagnosis: ${d.failureClass} (${d.confidence}) — ${d.summary}`);
  if (state.plan) {
    const done = state.steps.filter((s) => s.plan === state.plansMade && s.status === 'done').length;
    const total = state.plan.stages.reduce((n, s) => n + s.steps.length, 0);
    lines.push(`plan: ${state.plan.playbook}, ${done}/${total} steps done`);
  }
  const c = state.correlation;
  if (c?.role === 'victim')
    lines.push(`linked to ${c.rootIncident}: root cause ${c.rootService}, no action taken here`);
  if (c?.role === 'root' && c.victims.length > 0)
    lines.push(`root cause ${c.rootService} of: ${c.victims.map((v) => v.workflowId).join(', ')}`);
  const last = state.timeline[state.timeline.length - 1];
  if (last) lines.push(`last: ${last.event}`);
  if (state.conclusion) lines.push(`outcome: ${state.outcome} — ${state.conclusion}`);
  return lines.join('\n');
}

import type { Alert } from '../core/model/alert';
import { alertIdentity } from '../core/model/alert';
import type { AlertBatch, IncidentInput } from '../core/model/incident';
import type { IncidentState, Phase } from '../core/model/incidentState';

/** Pure state transitions of an incident, kept apart from the workflow so they are easy to read and test. */

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

/**
 * Applies a delivery of alerts; returns how many were new. An alert already seen in the same status
 * (same fingerprint, start and status) changes nothing, so re-deliveries are harmless.
 */
export function applyAlerts(state: IncidentState, batch: AlertBatch, seen: Set<string>): number {
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
    if (!state.firingAlerts.includes(fp)) state.firingAlerts.push(fp);
    state.resolvedAlerts = state.resolvedAlerts.filter((f) => f !== fp);
  } else {
    state.firingAlerts = state.firingAlerts.filter((f) => f !== fp);
    if (!state.resolvedAlerts.includes(fp)) state.resolvedAlerts.push(fp);
  }
}

/** True when every alert that fired has resolved (and at least one arrived). */
export function allResolved(state: IncidentState): boolean {
  return state.alertsSeen > 0 && state.firingAlerts.length === 0;
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
  const last = state.timeline[state.timeline.length - 1];
  if (last) lines.push(`last: ${last.event}`);
  if (state.conclusion) lines.push(`outcome: ${state.outcome} — ${state.conclusion}`);
  return lines.join('\n');
}

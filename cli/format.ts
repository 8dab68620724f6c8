import type { IncidentState } from '../core/model/incidentState';
import { describeTrackRecord } from '../core/model/plan';

/** Human-readable incident status for the terminal. */
export function formatState(s: IncidentState): string {
  const lines: string[] = [];
  lines.push(`${s.workflowId}  ${s.phase.toUpperCase()}${s.outcome ? ` (${s.outcome})` : ''}`);
  lines.push(`  ${s.input.title} — severity ${s.severity}, opened ${s.input.openedAt}`);
  lines.push(
    `  alerts: ${s.alertsSeen} seen, ${s.firingAlerts.length} firing, ${s.resolvedAlerts.length} resolved`,
  );
  if (s.diagnosis) {
    lines.push(
      `  diagnosis: ${s.diagnosis.failureClass} (${s.diagnosis.confidence}) — ${s.diagnosis.summary}`,
    );
  }
  const c = s.correlation;
  if (c?.role === 'victim') {
    lines.push(
      `  linked to ${c.rootIncident}: its root cause ${c.rootService} is handled there; no action taken here` +
        (c.rootOutcome ? ` (it ended ${c.rootOutcome.outcome})` : ''),
    );
  }
  if (c?.role === 'root' && c.victims.length > 0) {
    lines.push(`  root cause ${c.rootService} of ${c.victims.length} linked incident(s):`);
    for (const v of c.victims) lines.push(`    ${v.workflowId} (${v.service}), linked ${v.at}`);
  }
  if (s.plan) {
    lines.push(
      `  plan ${s.plansMade}: ${s.plan.playbook}${s.plan.requiresApproval ? ' (needs approval)' : ''}` +
        (s.plan.trackRecord ? ` — track record: ${describeTrackRecord(s.plan.trackRecord)}` : ''),
    );
    for (const stage of s.plan.stages) {
      for (const step of stage.steps) {
        const rec = [...s.steps].reverse().find((r) => r.stepId === step.id && r.plan === s.plansMade);
        lines.push(`    [${rec?.status ?? 'pending'}] ${stage.name}: ${step.description}`);
        if (rec?.verification) lines.push(`        verify: ${rec.verification.detail}`);
      }
    }
  }
  if (s.approvals.length > 0) {
    lines.push('  approvals:');
    for (const a of s.approvals) {
      lines.push(
        `    ${a.at} ${a.kind} by ${a.by}${a.fastPath ? ' (fast path)' : ''} via ${a.via}: ${a.reason}`,
      );
    }
  }
  if (s.phase === 'awaiting-approval') {
    lines.push(`  → approve: npx homeostat approve ${s.workflowId} --by <you> --reason "<why>"`);
  }
  lines.push('  timeline:');
  for (const t of s.timeline.slice(-15)) lines.push(`    ${t.at.slice(11, 19)} [${t.phase}] ${t.event}`);
  if (s.conclusion) lines.push(`  conclusion: ${s.conclusion}`);
  return lines.join('\n');
}

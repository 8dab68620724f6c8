import type { StepRecord } from '../../core/model/incidentState';
import { describeTrackRecord } from '../../core/model/plan';
import { formatSeconds } from '../stats/aggregate';
import type { ReportFacts } from './facts';
import { followUps } from './followUps';
import { firstAlertStart, keyTimes } from './keyTimes';

/** Text inside a table cell: no line breaks, no column separators. */
const cell = (text: string): string => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** "T+1m05s" from the opening, so a reader sees how the incident unfolded without clock arithmetic. */
function offset(facts: ReportFacts, at: string): string {
  const s = Math.round((Date.parse(at) - Date.parse(facts.openedAt)) / 1000);
  return s < 0 ? `T-${formatSeconds(-s)}` : `T+${formatSeconds(s)}`;
}

function header(f: ReportFacts): string[] {
  const lines = [`# Postmortem draft: ${f.title}`, ''];
  if (f.open)
    lines.push(
      `> **Draft of an open incident** (phase \`${f.phase ?? 'unknown'}\`): what follows may still change.`,
      '',
    );
  lines.push(
    `- Incident: \`${f.workflowId}\` (service \`${f.service}\`${f.severity ? `, severity ${f.severity}` : ''})`,
    `- Outcome: **${f.outcome ?? 'open'}**${f.conclusion ? ` — ${f.conclusion}` : ''}`,
  );
  if (f.runs > 1) lines.push(`- Runs: ${f.runs} (the workflow continued as new to keep its history short)`);
  return lines;
}

/** A diagnosis summary ends without a full stop; the summary paragraph needs one. */
const sentence = (text: string): string => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

function summary(f: ReportFacts): string[] {
  const d = f.diagnosis;
  const parts = [`${f.service} alerted: ${f.title}.`];
  if (d)
    parts.push(
      `Homeostat diagnosed **${d.failureClass}** on ${d.rootService} with ${d.confidence} confidence` +
        `${d.score !== undefined ? ` (score ${d.score.toFixed(2)})` : ''}: ${sentence(d.summary)}`,
    );
  if (f.playbook)
    parts.push(
      f.steps.length
        ? `It ran playbook \`${f.playbook}\` (${f.steps.length} step(s)).`
        : `It chose playbook \`${f.playbook}\` but took no action.`,
    );
  else if (f.noPlanReason) parts.push(`No playbook was run: ${f.noPlanReason}.`);
  parts.push(f.open ? 'The incident is still open.' : `It ended **${f.outcome}**.`);
  return ['## Summary', '', parts.join(' ')];
}

function impact(f: ReportFacts): string[] {
  const start = firstAlertStart(f);
  const first = f.alerts.find((a) => a.status === 'firing' && a.startsAt === start);
  const end = f.closedAt;
  const lines = ['## Impact window', ''];
  lines.push(
    start
      ? `- Began: ${start} (alert ${first?.name ?? '?'} from ${first?.source ?? '?'})`
      : '- Began: unknown (no firing alert in the history)',
  );
  lines.push(`- Incident opened: ${f.openedAt}`);
  lines.push(end ? `- Ended: ${end}` : '- Ended: not yet');
  if (start && end) lines.push(`- Length: ${formatSeconds((Date.parse(end) - Date.parse(start)) / 1000)}`);
  const affected = f.diagnosis?.affectedTargets ?? [];
  if (affected.length) lines.push(`- Affected targets: ${affected.map((t) => `\`${t}\``).join(', ')}`);
  const firing = new Set(f.alerts.filter((a) => a.status === 'firing').map((a) => a.name));
  if (firing.size) lines.push(`- Alerts: ${[...firing].join(', ')} (${f.alerts.length} delivered)`);
  return lines;
}

function times(f: ReportFacts): string[] {
  const rows = keyTimes(f).map(
    (k) =>
      `| time to ${k.name} | ${k.seconds === null ? 'n/a' : formatSeconds(k.seconds)} | ${cell(k.note)} |`,
  );
  return ['## Key times', '', '| measure | time | from → to |', '|---|---|---|', ...rows];
}

function diagnosis(f: ReportFacts): string[] {
  const d = f.diagnosis;
  if (!d) return ['## Evidence and diagnosis', '', 'No diagnosis was made.'];
  const lines = [
    '## Evidence and diagnosis',
    '',
    `- Failure class: **${d.failureClass}**, root service \`${d.rootService}\``,
    `- Confidence: **${d.confidence}**${d.score !== undefined ? ` (score ${d.score.toFixed(2)} of 1)` : ''}`,
    `- ${d.summary}`,
  ];
  if (d.suspectRelease)
    lines.push(
      `- Suspect release \`${d.suspectRelease}\`${d.suspectDeployedBy ? ` deployed by ${d.suspectDeployedBy}` : ''}` +
        `${d.suspectDeployedAt ? ` at ${d.suspectDeployedAt}` : ''}${d.goodRelease ? `; last good \`${d.goodRelease}\`` : ''}`,
    );
  if (f.evidence)
    lines.push(
      `- Gathered at ${f.evidence.gatheredAt}: ${f.evidence.services.map((s) => `${s.service} (${s.series} series)`).join(', ')}`,
    );
  if (d.evidence?.length) lines.push('', 'Evidence:', '', ...d.evidence.map((e) => `- ${e}`));
  return lines;
}

function verification(step: StepRecord): string {
  const v = step.verification;
  if (!v) return '-';
  return `${v.healthy ? 'healthy' : 'NOT healthy'}: ${v.metric} ${v.observed ?? 'no data'} (bound ${v.bound}, ${v.samples} samples${v.fastPath ? ', fast path' : ''})`;
}

function actions(f: ReportFacts): string[] {
  const lines = ['## Actions and their verification', ''];
  if (f.plan)
    lines.push(
      `Plan \`${f.plan.playbook}\`: ${f.plan.requiresApproval ? 'required approval' : 'ran without approval'} — ${f.plan.approvalReason}` +
        `${f.plan.trackRecord ? ` (track record: ${describeTrackRecord(f.plan.trackRecord)})` : ''}.`,
      '',
    );
  if (f.steps.length === 0) return [...lines, 'No action was taken.'];
  lines.push('| when | stage | step | action | result | verification |', '|---|---|---|---|---|---|');
  for (const s of f.steps) {
    const result = `${s.status}${s.outcome ? `: ${s.outcome.summary}${s.outcome.applied ? '' : ' (already applied)'}` : ''}`;
    lines.push(
      `| ${offset(f, s.startedAt)} | ${cell(s.stage)} | ${cell(s.stepId)} | ${cell(`${s.action.kind} on ${s.action.service}: ${s.description}`)} | ${cell(result)} | ${cell(verification(s))} |`,
    );
  }
  return lines;
}

function approvals(f: ReportFacts): string[] {
  const lines = ['## Approvals and human decisions', ''];
  if (f.approvals.length === 0) {
    const why = f.plan && !f.plan.requiresApproval ? ` (${f.plan.approvalReason})` : '';
    return [...lines, `No human decision was recorded${why}.`];
  }
  for (const a of f.approvals)
    lines.push(
      `- ${a.at} (${offset(f, a.at)}): **${a.kind}** by **${a.by}** via ${a.via}${a.fastPath ? ', fast path' : ''} — "${a.reason}"`,
    );
  return lines;
}

function undone(f: ReportFacts): string[] {
  const lines = ['## What was undone', ''];
  for (const s of f.steps) {
    if (s.status === 'compensated')
      lines.push(
        `- ${s.stepId} (${s.action.kind}) undone: ${s.compensation?.summaries.join('; ') ?? s.compensationKind}`,
      );
    if (s.status === 'compensation-failed') lines.push(`- ${s.stepId} (${s.action.kind}): **undo failed**`);
    if (s.restored)
      lines.push(
        `- ${s.stepId} (${s.action.kind}) restored after recovery at ${s.restored.at}: ${s.restored.summaries.join('; ')}`,
      );
  }
  return lines.length === 2 ? [...lines, 'Nothing was undone.'] : lines;
}

function timeline(f: ReportFacts): string[] {
  const lines = ['## Timeline', ''];
  if (f.timelineDropped)
    lines.push(`(${f.timelineDropped} earlier entries were let go; the newest are kept)`, '');
  for (const t of f.timeline) lines.push(`- ${t.at} ${offset(f, t.at)} \`${t.phase}\` ${t.event}`);
  return lines;
}

/** The postmortem draft as Markdown: readable by a person, built only from what Temporal kept. */
export function reportMarkdown(facts: ReportFacts): string {
  const suggestions = followUps(facts);
  const sections = [
    header(facts),
    summary(facts),
    impact(facts),
    times(facts),
    diagnosis(facts),
    actions(facts),
    approvals(facts),
    undone(facts),
    timeline(facts),
    [
      '## Follow-ups (suggested)',
      '',
      ...(suggestions.length ? suggestions.map((s) => `- [ ] ${s}`) : ['- none']),
    ],
  ];
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}

import type { ReportFacts } from './facts';

/** An alert that fired more than this many separate times during one incident is called flapping. */
export const FLAPPING_FIRINGS = 2;

/** Alerts (by fingerprint) that began more than once during the incident: fired, resolved, fired again. */
export function flappingAlerts(facts: ReportFacts): Array<{ name: string; firings: number }> {
  const starts = new Map<string, { name: string; starts: Set<string> }>();
  for (const a of facts.alerts.filter((x) => x.status === 'firing')) {
    const entry = starts.get(a.fingerprint) ?? { name: a.name, starts: new Set<string>() };
    entry.starts.add(a.startsAt);
    starts.set(a.fingerprint, entry);
  }
  return [...starts.values()]
    .filter((e) => e.starts.size >= FLAPPING_FIRINGS)
    .map((e) => ({ name: e.name, firings: e.starts.size }));
}

/**
 * What a person should look at next, suggested from how the incident went. Suggestions, not verdicts:
 * the postmortem's authors keep, change or drop them.
 */
export function followUps(facts: ReportFacts): string[] {
  const out: string[] = [];
  const { service, diagnosis, plan } = facts;
  const playbook = facts.playbook ?? plan?.playbook;
  const cls = facts.failureClass ?? diagnosis?.failureClass ?? 'unknown';

  if (facts.open)
    out.push(`The incident is still open (${facts.phase ?? 'running'}): report it again once it closes.`);
  if (facts.correlation?.role === 'victim')
    out.push(
      `This incident was linked to ${facts.correlation.rootIncident} (root cause on ` +
        `${facts.correlation.rootService}): read that incident's report for the cause.`,
    );

  if (facts.outcome === 'escalated') {
    out.push(`A human must check ${service}: ${facts.conclusion ?? 'Homeostat handed it over'}.`);
    if (facts.steps.length === 0 && facts.timeline.some((t) => t.phase === 'awaiting-approval'))
      out.push(
        'Nobody approved within the approval window: check the approvers list and that they were paged.',
      );
  }
  if (facts.outcome === 'aborted') {
    const abort = [...facts.approvals].reverse().find((a) => a.kind === 'abort');
    out.push(
      `${abort ? `${abort.by} aborted ("${abort.reason}")` : 'The incident was aborted'}: ` +
        `decide whether ${playbook ?? 'the plan'} was the wrong fix for ${cls} and should ask for approval or change.`,
    );
  }
  if (facts.noPlanReason)
    out.push(`No playbook fits ${cls} on ${service} (${facts.noPlanReason}): consider writing one.`);
  if (diagnosis && (diagnosis.confidence === 'low' || diagnosis.failureClass === 'unknown'))
    out.push(
      `The diagnosis (${diagnosis.failureClass}, ${diagnosis.confidence} confidence) was uncertain: ` +
        'confirm the root cause by hand and note which signal would have told it apart.',
    );
  for (const step of facts.steps) {
    if (step.status === 'failed')
      out.push(
        `Step ${step.stepId} (${step.action.kind}) failed` +
          (step.verification ? `: ${step.verification.detail}` : '') +
          `. Review playbook ${playbook ?? '?'} for ${cls}.`,
      );
    if (step.status === 'compensation-failed')
      out.push(
        `Undoing ${step.stepId} (${step.action.kind} on ${step.action.service}) failed: ` +
          'check by hand that the service is as it was before the incident.',
      );
    if (step.status === 'interrupted')
      out.push(
        `${step.stepId} was interrupted before it reported: check what it changed on ${step.action.service}.`,
      );
  }
  const record = plan?.trackRecord;
  if (record && record.failed > 0 && facts.outcome !== 'recovered')
    out.push(
      `Playbook ${record.playbook} has failed ${record.failed} of ${record.failed + record.recovered} recent runs ` +
        `on ${record.service}, and did not recover it this time: its track record now counts against it ` +
        '(it asks for approval); review or retire it.',
    );
  for (const f of flappingAlerts(facts))
    out.push(
      `Alert ${f.name} fired ${f.firings} separate times during the incident (flapping): check that the fix ` +
        'holds and whether the alert needs hysteresis.',
    );
  if (facts.outcome === 'recovered') {
    if (diagnosis?.suspectRelease)
      out.push(
        `Find out what was wrong with release ${diagnosis.suspectRelease}` +
          (diagnosis.suspectDeployedBy ? ` (deployed by ${diagnosis.suspectDeployedBy})` : '') +
          ' before it is deployed again.',
      );
    out.push(
      `The remediation mitigated ${cls}; fix its cause on ${diagnosis?.rootService ?? service} at the source.`,
    );
  }
  if (facts.outcome === 'noise')
    out.push(`The alerts resolved before anything was done: consider tuning the alert on ${service}.`);
  return out;
}

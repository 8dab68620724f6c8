import type { ReportFacts } from './facts';

/** One of the four times a postmortem states, with the two moments it spans (null: did not happen). */
export interface KeyTime {
  name: 'detect' | 'diagnose' | 'mitigate' | 'recover';
  from: string;
  to: string | null;
  seconds: number | null;
  /** What the two ends are, for the reader; or why the measure is missing. */
  note: string;
}

const between = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / 1000);

/** The earliest start of a firing alert: the detector puts its onset in startsAt, other sources their own. */
export function firstAlertStart(facts: ReportFacts): string | undefined {
  const starts = facts.alerts.filter((a) => a.status === 'firing').map((a) => a.startsAt);
  return starts.length ? starts.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : undefined;
}

/** The timeline entry noted when the diagnosis came back (workflows/incident/lifecycle.ts). */
const diagnosedAt = (facts: ReportFacts): string | undefined =>
  facts.timeline.find((t) => t.event.startsWith('diagnosis: '))?.at;

/**
 * When the first action came back done: the note `<step>: <summary>; baking …` that follows an action's
 * result (workflows/incident/remediation.ts), for the first step that has an outcome.
 */
function firstActionDoneAt(facts: ReportFacts): string | undefined {
  const acted = facts.steps.filter((s) => s.outcome);
  const ids = new Set(acted.map((s) => s.stepId));
  return facts.timeline.find((t) => {
    const id = t.event.split(': ')[0]!;
    return ids.has(id) && t.event.includes('; baking ');
  })?.at;
}

/**
 * Time to detect (first alert's start → incident opened), diagnose and mitigate (opened → diagnosis,
 * → first action done) and recover (opened → closed recovered, the same span as the memo's duration
 * and so as `homeostat stats`' MTTR).
 */
export function keyTimes(facts: ReportFacts): KeyTime[] {
  const opened = facts.openedAt;
  const dropped = facts.timelineDropped ? ' (its timeline entry was let go: the timeline is bounded)' : '';
  const span = (
    name: KeyTime['name'],
    from: string,
    to: string | undefined,
    note: string,
    missing: string,
  ) =>
    to
      ? { name, from, to, seconds: between(from, to), note }
      : { name, from, to: null, seconds: null, note: missing };
  const start = firstAlertStart(facts);
  const recovered = facts.outcome === 'recovered' ? facts.closedAt : undefined;
  return [
    start
      ? span('detect', start, opened, 'first alert began → incident opened', '')
      : { name: 'detect', from: opened, to: null, seconds: null, note: 'no firing alert in the history' },
    span('diagnose', opened, diagnosedAt(facts), 'opened → diagnosis', `no diagnosis${dropped}`),
    span(
      'mitigate',
      opened,
      firstActionDoneAt(facts),
      'opened → first action done',
      `no action completed${dropped}`,
    ),
    span(
      'recover',
      opened,
      recovered,
      'opened → closed recovered',
      facts.open ? 'still open' : `did not recover (${facts.outcome ?? 'unknown'})`,
    ),
  ];
}

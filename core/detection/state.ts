import type { Alert } from '../model/alert';
import type { DetectorConfig } from '../model/detectorConfig';
import { harmful, type ServiceVerdict, type SignalVerdict } from './evaluate';
import { groupByDependency } from './grouping';
import { stepPersistence, type Persistence } from './persistence';
import { pruneRanges, type TimeRange } from './ranges';
import { alertNameOf, BURN_SIGNAL, SIGNALS } from './signals';

/**
 * The detector's memory between evaluations, and how one evaluation moves it: persistence per signal,
 * an episode per service while any of its signals fires, the firing ranges its baselines leave out, and
 * the alerts still to deliver. Pure and deterministic: the workflow runs it on the activity's readings.
 */

/** What one evaluation activity read: verdicts per service, and the dependency graph. */
export interface DetectorEvaluation {
  /** Epoch ms the series were read at (the activity's clock; the workflow never reads one). */
  at: number;
  services: ServiceVerdict[];
  dependencies: Record<string, string[]>;
  /** Services that could not be read this time, with why (their state is left as it was). */
  errors: Record<string, string>;
}

/** A service's firing: from the onset of its first firing signal until none fires. */
export interface Episode {
  service: string;
  /** The signal that fired first: with the onset it makes the alert's fingerprint. */
  signal: string;
  onset: number;
  firedAt: number;
  /** Signals that have fired in this episode. */
  signals: string[];
  /** `root`: the deepest anomalous service, alerted on; `victim`: a caller of one, never alerted on. */
  role: 'root' | 'victim';
  /** For a root: its anomalous callers; for a victim: the roots it depends on. */
  related: string[];
  /** Readings of the signals when it fired, for the alert's annotations. */
  evidence: string[];
  /** The firing alert reached intake (a root only). */
  delivered: boolean;
  /** Set when the episode ended: a delivered episode then owes a resolved alert. */
  endedAt?: number;
}

export interface DetectorState {
  evaluations: number;
  lastAt?: number;
  /** service → signal key → persistence. Inactive signals are not kept. */
  signals: Record<string, Record<string, Persistence>>;
  episodes: Record<string, Episode>;
  /** Ended episodes whose resolution has not been delivered yet. */
  resolving: Episode[];
  exclusions: Record<string, TimeRange[]>;
  /** The latest verdicts (what the query shows as baselines). */
  latest: ServiceVerdict[];
  errors: Record<string, string>;
}

export const emptyDetectorState = (): DetectorState => ({
  evaluations: 0,
  signals: {},
  episodes: {},
  resolving: [],
  exclusions: {},
  latest: [],
  errors: {},
});

export type StepSettings = Pick<
  DetectorConfig,
  'forSeconds' | 'recentSeconds' | 'baselineSeconds' | 'burnWindows'
>;

const longestWindowMs = (s: StepSettings): number =>
  Math.max(s.baselineSeconds, ...s.burnWindows.map((w) => w.longSeconds)) * 1000;

/** Signals a failing dependency causes in its callers too (a caller's own memory or queue it does not). */
const TRAVELLING = new Set(['error_ratio', 'timeout_ratio', 'latency_p95_ms', BURN_SIGNAL]);
const travelsUpCalls = (signalKey: string): boolean => TRAVELLING.has(signalKey.split('@')[0]!);

/** Moves the state by one evaluation. Returns a new state; `log` says what changed, in plain words. */
export function advance(
  prior: DetectorState,
  ev: DetectorEvaluation,
  settings: StepSettings,
): { state: DetectorState; log: string[] } {
  const log: string[] = [];
  const state: DetectorState = {
    ...prior,
    evaluations: prior.evaluations + 1,
    lastAt: ev.at,
    signals: { ...prior.signals },
    episodes: { ...prior.episodes },
    resolving: [...prior.resolving],
    exclusions: { ...prior.exclusions },
    latest: ev.services,
    errors: ev.errors,
  };

  // 1. Persistence of every harmful signal, per service.
  for (const verdict of ev.services) {
    const before = prior.signals[verdict.service] ?? {};
    const after: Record<string, Persistence> = {};
    const keys = new Set([...Object.keys(before), ...verdict.signals.map((s) => s.key)]);
    for (const key of keys) {
      const reading = verdict.signals.find((s) => s.key === key);
      const holds = reading !== undefined && harmful(reading);
      const { state: next, event } = stepPersistence(
        before[key] ?? { phase: 'inactive' },
        holds,
        ev.at,
        settings.forSeconds,
      );
      if (event === 'fired') log.push(`${verdict.service}: ${key} firing (${reading?.reason ?? ''})`);
      if (event === 'resolved') log.push(`${verdict.service}: ${key} resolved`);
      if (next.phase !== 'inactive') after[key] = next;
    }
    state.signals[verdict.service] = after;
  }

  // 2. Grouping: every service anomalous now (pending or firing) takes part, so a caller whose own
  //    signals fire first is still known as a victim of the dependency that is only pending. Only what
  //    travels up a call (errors, timeouts, latency) joins services into a group: a caller whose memory
  //    climbs, or a dependency whose dead letters nobody upstream feels, has a failure of its own.
  const anomalousOn = (travels: boolean): string[] =>
    Object.entries(state.signals)
      .filter(([, sigs]) => Object.keys(sigs).some((key) => travelsUpCalls(key) === travels))
      .map(([s]) => s);
  const groups = groupByDependency(anomalousOn(true), ev.dependencies);
  const ownFailure = new Set(anomalousOn(false));
  const roleOf = (service: string): Pick<Episode, 'role' | 'related'> => {
    const own = groups.find((g) => g.root === service);
    if (own) return { role: 'root', related: own.victims };
    if (ownFailure.has(service)) return { role: 'root', related: [] };
    return { role: 'victim', related: groups.filter((g) => g.victims.includes(service)).map((g) => g.root) };
  };

  // 3. Episodes: open when a first signal fires, follow the role, end when none fires.
  for (const service of new Set([...Object.keys(state.signals), ...Object.keys(prior.episodes)])) {
    if (ev.errors[service]) continue; // unread this time: leave its episode as it was
    const firing = Object.entries(state.signals[service] ?? {}).filter(
      ([, p]) => p.phase === 'firing',
    ) as Array<[string, Extract<Persistence, { phase: 'firing' }>]>;
    const episode = state.episodes[service];
    if (firing.length === 0) {
      if (episode) {
        delete state.episodes[service];
        closeRange(state, service, ev.at);
        if (episode.delivered) state.resolving.push({ ...episode, endedAt: ev.at });
        log.push(`${service}: episode ended`);
      }
      continue;
    }
    const role = roleOf(service);
    if (!episode) {
      const [first, p] = [...firing].sort((a, b) => a[1].since - b[1].since || a[0].localeCompare(b[0]))[0]!;
      const readings = ev.services.find((v) => v.service === service)?.signals ?? [];
      state.episodes[service] = {
        service,
        signal: first,
        onset: p.since,
        firedAt: ev.at,
        signals: firing.map(([k]) => k).sort(),
        ...role,
        evidence: readings.filter((r) => firing.some(([k]) => k === r.key)).map((r) => r.reason),
        delivered: false,
      };
      openRange(state, service, p.since - settings.recentSeconds * 1000);
      log.push(
        `${service}: ${role.role === 'root' ? 'incident-worthy' : `victim of ${role.related.join(', ')}`}`,
      );
    } else {
      state.episodes[service] = {
        ...episode,
        ...(episode.delivered ? {} : role),
        signals: [...new Set([...episode.signals, ...firing.map(([k]) => k)])].sort(),
      };
    }
  }

  // 4. Forget firing ranges no window reaches any more.
  const olderThan = ev.at - longestWindowMs(settings);
  for (const [service, ranges] of Object.entries(state.exclusions)) {
    const kept = pruneRanges(ranges, olderThan);
    if (kept.length > 0) state.exclusions[service] = kept;
    else delete state.exclusions[service];
  }
  return { state, log };
}

function openRange(state: DetectorState, service: string, from: number): void {
  state.exclusions[service] = [...(state.exclusions[service] ?? []), { from }];
}

function closeRange(state: DetectorState, service: string, to: number): void {
  state.exclusions[service] = (state.exclusions[service] ?? []).map((r) =>
    r.to === undefined ? { ...r, to } : r,
  );
}

/** The stable fingerprint of one firing: service, signal and onset (a retried delivery joins its incident). */
export const fingerprintOf = (e: Pick<Episode, 'service' | 'signal' | 'onset'>): string =>
  `detector/${e.service}/${e.signal}/${e.onset}`;

function toAlert(e: Episode, status: Alert['status'], incidentScope?: string): Alert {
  const metric = e.signal.split('@')[0]!;
  const target = e.signal.split('@')[1];
  const impact = SIGNALS.find((s) => s.metric === metric)?.impact;
  const victims = e.role === 'root' ? e.related : [];
  return {
    source: 'detector',
    fingerprint: fingerprintOf(e),
    service: e.service,
    name: alertNameOf(e.signal),
    severity: impact === 'imminent' ? 'warning' : 'high',
    status,
    labels: {
      alertname: alertNameOf(e.signal),
      service: e.service,
      signal: e.signal,
      ...(target ? { target } : {}),
      ...(victims.length > 0 ? { victims: victims.join(',') } : {}),
      ...(incidentScope ? { incident_scope: incidentScope } : {}),
    },
    annotations: {
      summary:
        `${e.signals.join(', ')} anomalous on ${e.service}` +
        (victims.length > 0 ? `; its callers ${victims.join(', ')} are victims` : ''),
      evidence: e.evidence.join('\n').slice(0, 2000),
      ...(victims.length > 0 ? { victims: victims.join(', ') } : {}),
    },
    startsAt: new Date(e.onset).toISOString(),
    ...(status === 'resolved' && e.endedAt !== undefined
      ? { endsAt: new Date(e.endedAt).toISOString() }
      : {}),
  };
}

/**
 * Alerts the state still owes intake: each root episode's firing once, each delivered episode's
 * resolution. `incidentScope` (config) is set as their `incident_scope` label.
 */
export function outbox(state: DetectorState, incidentScope?: string): Alert[] {
  return [
    ...Object.values(state.episodes)
      .filter((e) => e.role === 'root' && !e.delivered)
      .map((e) => toAlert(e, 'firing', incidentScope)),
    ...state.resolving.map((e) => toAlert(e, 'resolved', incidentScope)),
  ];
}

/** Marks the alerts intake accepted: their episodes are delivered, or their resolutions done. */
export function markDelivered(state: DetectorState, alerts: readonly Alert[]): DetectorState {
  const sent = new Set(alerts.map((a) => `${a.fingerprint}#${a.status}`));
  return {
    ...state,
    episodes: Object.fromEntries(
      Object.entries(state.episodes).map(([s, e]) => [
        s,
        sent.has(`${fingerprintOf(e)}#firing`) ? { ...e, delivered: true } : e,
      ]),
    ),
    resolving: state.resolving.filter((e) => !sent.has(`${fingerprintOf(e)}#resolved`)),
  };
}

/** What the detector's query shows: compact, bounded by services × signals. */
export interface DetectorView {
  evaluations: number;
  lastAt?: string;
  baselines: Array<{
    service: string;
    signal: string;
    value: number;
    state: SignalVerdict['state'];
    median?: number;
    mad?: number;
    z?: number;
    phase: Persistence['phase'];
  }>;
  pending: Array<{ service: string; signal: string; since: string }>;
  firing: Array<{ service: string; signal: string; since: string }>;
  episodes: Episode[];
  exclusions: Record<string, TimeRange[]>;
  errors: Record<string, string>;
}

export function viewOf(state: DetectorState): DetectorView {
  const iso = (t: number): string => new Date(t).toISOString();
  const phases = Object.entries(state.signals).flatMap(([service, sigs]) =>
    Object.entries(sigs).map(([signal, p]) => ({ service, signal, p })),
  );
  return {
    evaluations: state.evaluations,
    ...(state.lastAt !== undefined ? { lastAt: iso(state.lastAt) } : {}),
    baselines: state.latest.flatMap((v) =>
      v.signals.map((s) => ({
        service: v.service,
        signal: s.key,
        value: s.value,
        state: s.state,
        ...(s.baseline ? { median: s.baseline.median, mad: s.baseline.mad } : {}),
        ...(s.z !== undefined ? { z: s.z } : {}),
        phase: state.signals[v.service]?.[s.key]?.phase ?? 'inactive',
      })),
    ),
    pending: phases
      .filter((x) => x.p.phase === 'pending')
      .map((x) => ({ service: x.service, signal: x.signal, since: iso((x.p as { since: number }).since) })),
    firing: phases
      .filter((x) => x.p.phase === 'firing')
      .map((x) => ({ service: x.service, signal: x.signal, since: iso((x.p as { since: number }).since) })),
    episodes: Object.values(state.episodes),
    exclusions: state.exclusions,
    errors: state.errors,
  };
}

/**
 * Silences: an operator tells Homeostat to keep its hands off a service (optionally one failure class)
 * for a while — a deploy window, a migration, an investigation. An alert for a silenced service still
 * opens its incident, which diagnoses and then stops, saying who silenced it until when and why.
 * Anyone may silence (it stops actions: the safe direction, like pause); lifting one early needs an
 * approver (like resume). Pure helpers here; the governor holds the silences (workflows/governorSilences.ts).
 */

export interface SilenceRequest {
  service: string;
  /** Only this failure class of the service; absent: every failure of it. */
  failureClass?: string;
  durationSeconds: number;
  by: string;
  reason: string;
}

export interface Silence {
  id: string;
  service: string;
  failureClass?: string;
  by: string;
  reason: string;
  at: string;
  until: string;
}

/** Lifts a silence by its id, or every active silence of a service. */
export interface UnsilenceRequest {
  target: string;
  by: string;
  reason: string;
}

/** A week: longer hands-off periods are better served by a pause or a configuration change. */
export const MAX_SILENCE_SECONDS = 7 * 24 * 3600;
/** Active silences the governor holds at once: the state stays bounded. */
export const MAX_SILENCES = 100;

const text = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

/** Why a silence request is not acceptable, naming the field; undefined when it is. */
export function invalidSilenceRequest(req: Partial<SilenceRequest> | undefined): string | undefined {
  if (!text(req?.service) || req.service.length > 200) return 'service is required (at most 200 characters)';
  if (req.failureClass !== undefined && (!text(req.failureClass) || req.failureClass.length > 100))
    return 'failureClass must be a non-empty class name, e.g. bad-release';
  const d = req.durationSeconds;
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0 || d > MAX_SILENCE_SECONDS)
    return `durationSeconds must be a positive number of seconds, at most ${MAX_SILENCE_SECONDS} (7 days)`;
  if (!text(req.by) || !text(req.reason)) return 'say who (by) and why (reason)';
  return undefined;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90s", "30m", "2h", "1d" (or a plain number of seconds) → seconds; undefined if not a duration. */
export function parseDuration(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(value);
  if (!m) return undefined;
  const seconds = Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()]!;
  return seconds > 0 ? Math.round(seconds) : undefined;
}

export const isActive = (s: Silence, now: number): boolean => Date.parse(s.until) > now;

/** Drops expired silences. */
export function pruneSilences(silences: Silence[] | undefined, now: number): Silence[] {
  return (silences ?? []).filter((s) => isActive(s, now));
}

/**
 * The active silence covering any of `services` for `failureClass`, if there is one: the one that
 * lasts longest, so the incident names the silence that really holds it.
 */
export function findSilence(
  silences: Silence[] | undefined,
  services: string[],
  failureClass: string,
  now: number,
): Silence | undefined {
  return pruneSilences(silences, now)
    .filter((s) => services.includes(s.service) && (!s.failureClass || s.failureClass === failureClass))
    .sort((a, b) => Date.parse(b.until) - Date.parse(a.until))[0];
}

/** The active silences an unsilence names: the one with that id, or all of that service. */
export function silencesNamed(silences: Silence[] | undefined, target: string, now: number): Silence[] {
  const active = pruneSilences(silences, now);
  const byId = active.filter((s) => s.id === target);
  return byId.length > 0 ? byId : active.filter((s) => s.service === target);
}

/** "2026-12-02 14:00Z": minutes are what people plan windows in. */
export const shortTime = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;

/** One line: who silenced what until when, and why. */
export function describeSilence(s: Silence): string {
  const what = s.failureClass ? `${s.service} (${s.failureClass})` : s.service;
  return `${what} silenced by ${s.by} until ${shortTime(s.until)}: ${s.reason}`;
}

/** The incident's conclusion when a silence stops it. */
export const silencedConclusion = (s: Silence): string =>
  `silenced by ${s.by} until ${shortTime(s.until)}: ${s.reason} — no action taken` +
  ` (${s.failureClass ? `${s.service}, ${s.failureClass}` : s.service}; silence ${s.id})`;

/** The lines `homeostat safety` prints for the silences. */
export function formatSilences(silences: Silence[] | undefined, now: number): string[] {
  const active = pruneSilences(silences, now);
  if (active.length === 0) return ['silences: none'];
  return [
    'silences (no action on these; lift early with `homeostat unsilence <id|service> --by --reason`):',
    ...active.map((s) => `  ${s.id}: ${describeSilence(s)}`),
  ];
}

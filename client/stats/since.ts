/**
 * `--since 30d|12h|90m|45s`: how far back a listing looks. A bare number, a unit the CLI does not know or
 * a window of zero is refused with an error that shows the accepted form, never guessed at.
 */
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 } as const;

export class DurationError extends Error {}

/** Seconds in a duration such as `30d`, `12h`, `90m`, `45s` or `2w`. */
export function parseDuration(text: string, flag = '--since'): number {
  const match = /^\s*(\d+)\s*([smhdw])\s*$/i.exec(text);
  if (!match) {
    throw new DurationError(
      `${flag} '${text}' is not a duration: use a whole number and a unit, e.g. 30d, 12h, 90m or 45s`,
    );
  }
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!.toLowerCase() as keyof typeof UNIT_SECONDS];
  if (seconds <= 0) throw new DurationError(`${flag} '${text}' is empty: give a window longer than zero`);
  return seconds;
}

/** The moment a window of `text` ending `now` begins. */
export function sinceDate(text: string, now: Date = new Date(), flag = '--since'): Date {
  return new Date(now.getTime() - parseDuration(text, flag) * 1000);
}

/** What is wrong with a duration, or undefined when it parses (for checks before anything connects). */
export function durationProblem(text: string, flag = '--since'): string | undefined {
  try {
    parseDuration(text, flag);
    return undefined;
  } catch (err) {
    if (err instanceof DurationError) return err.message;
    throw err;
  }
}

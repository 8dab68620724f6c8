import { z } from 'zod';

/** Value shapes shared by every configuration section, read from JSON or from environment strings. */

/** A boolean from JSON, or `true`/`false`/`1`/`0` from an environment variable. */
export const envBool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

/** A JSON array, or a comma-separated environment variable (blanks dropped). */
export const envList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(item),
  );

import { z } from 'zod';
import { DEFAULT_FLAPPING_LIMITS as D } from './flapping';

/**
 * Flapping protection's settings, part of the `safety` section (they travel to the governor with the
 * other safety limits). Kept apart from model/flapping.ts, which workflows import, to keep zod out of
 * the workflow bundle.
 */
export const flappingSafetyFields = {
  /** A recovery of the same root + failure class is remembered this long (HOMEOSTAT_FLAPPING_WINDOW_SECONDS). */
  flappingWindowSeconds: z.coerce.number().int().min(1).default(D.windowSeconds),
  /** The back-off before acting on the first return; doubled for each further return. */
  flappingBaseSeconds: z.coerce.number().int().min(1).default(D.baseSeconds),
  flappingCapSeconds: z.coerce.number().int().min(1).default(D.capSeconds),
  /** Returns within the window that back off and heal; the next one goes to a human. */
  flappingMaxBackoffs: z.coerce.number().int().min(1).default(D.maxBackoffs),
};

export const FLAPPING_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_FLAPPING_WINDOW_SECONDS: ['safety', 'flappingWindowSeconds'],
  HOMEOSTAT_FLAPPING_BASE_SECONDS: ['safety', 'flappingBaseSeconds'],
  HOMEOSTAT_FLAPPING_CAP_SECONDS: ['safety', 'flappingCapSeconds'],
  HOMEOSTAT_FLAPPING_MAX_BACKOFFS: ['safety', 'flappingMaxBackoffs'],
};

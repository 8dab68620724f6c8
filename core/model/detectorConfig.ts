import { z } from 'zod';
import { envBool as bool, envList } from './envValues';

/**
 * Settings of the detector (workflows/detector.ts): which services it watches, how often, and how
 * unusual a signal must be, for how long, before it opens an incident. Merged into config.ts as
 * `detector`. The defaults suit the time-compressed local fleet: an evaluation every 5 s, so a
 * failure is found within two evaluations of its onset.
 */

const seconds = (min: number, max: number) => z.coerce.number().min(min).max(max);

/**
 * One multi-window burn-rate pair (SRE Workbook, "Alerting on SLOs"): the alert holds while the error
 * budget burns at least `factor` times the sustainable rate over both the long and the short window.
 */
export const burnWindowSchema = z
  .object({
    longSeconds: z.number().positive(),
    shortSeconds: z.number().positive(),
    factor: z.number().positive(),
  })
  .refine((w) => w.shortSeconds < w.longSeconds, {
    message: 'shortSeconds must be shorter than longSeconds',
  });
export type BurnWindow = z.infer<typeof burnWindowSchema>;

/**
 * The Workbook's paging pairs for a 30-day budget (14.4× over 1 h with 5 min, 6× over 6 h with 30 min),
 * compressed 60-fold so that the local fleet, whose failures unfold in seconds, can show them: 1 h → 60 s.
 */
export const DEFAULT_BURN_WINDOWS: BurnWindow[] = [
  { longSeconds: 60, shortSeconds: 5, factor: 14.4 },
  { longSeconds: 360, shortSeconds: 30, factor: 6 },
];

/** `checkout=0.99,web=0.995` from the environment, or an object from JSON: service → objective. */
const sloMap = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? Object.fromEntries(
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
            .map((pair) => {
              const [service, objective] = pair.split('=').map((s) => s.trim());
              return [service ?? '', objective === undefined ? NaN : Number(objective)];
            }),
        )
      : v,
  z.record(
    z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a service name'),
    z.number().gt(0, 'an objective above 0').lt(1, 'an objective below 1, e.g. 0.99'),
  ),
);

export const detectorConfigSchema = z
  .object({
    /** false: `npm start` runs no detector (alerts then come only from webhooks). */
    enabled: bool.default(true),
    /** Services watched; empty means every service of the target (the whole local fleet). */
    services: envList(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a service name')).default([]),
    /** Seconds between evaluations. */
    intervalSeconds: seconds(1, 300).default(5),
    /** The recent value judged is the median of this many trailing seconds (a 2 s burst cannot move it). */
    recentSeconds: seconds(1, 300).default(5),
    /** The history a baseline is learned from (minus the ranges in which the detector was firing). */
    baselineSeconds: seconds(20, 86_400).default(300),
    /** A baseline needs this many samples before it judges anything (younger: learning). */
    minBaselinePoints: z.coerce.number().int().min(3).default(10),
    /** Modified z-score cut-off (Iglewicz–Hoaglin recommend 3.5). */
    sensitivity: z.coerce.number().positive().default(3.5),
    /** A signal must stay anomalous this long before it fires (Prometheus' `for:`). */
    forSeconds: seconds(0, 3_600).default(5),
    /** Compare with the value one period ago (seasonality); 0 turns it off. */
    seasonalPeriodSeconds: seconds(0, 7 * 86_400).default(0),
    /** Availability objectives per service; a service without one is judged on its baseline only. */
    slos: sloMap.default({}),
    burnWindows: z.array(burnWindowSchema).min(1).default(DEFAULT_BURN_WINDOWS),
    /**
     * Set as the `incident_scope` label of every detector alert: incidents become `incident:<service>/<scope>`,
     * so two detectors (two cells, or a test's own) never feed each other's incidents. Absent: one per service.
     */
    incidentScope: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" or "-"')
      .optional(),
    /**
     * The workflow continues as new after this many evaluations (or sooner, when the server suggests it),
     * carrying its state: each evaluation's verdicts are a few kB of history.
     */
    evaluationsPerRun: z.coerce.number().int().min(1).max(10_000).default(200),
  })
  .refine((d) => d.recentSeconds < d.baselineSeconds, {
    message: 'recentSeconds must be shorter than baselineSeconds',
    path: ['recentSeconds'],
  });

export type DetectorConfig = z.output<typeof detectorConfigSchema>;

/** Environment variable → path inside the `detector` section. */
export const DETECTOR_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_DETECTOR: ['enabled'],
  HOMEOSTAT_DETECTOR_SERVICES: ['services'],
  HOMEOSTAT_DETECTOR_INTERVAL_SECONDS: ['intervalSeconds'],
  HOMEOSTAT_DETECTOR_RECENT_SECONDS: ['recentSeconds'],
  HOMEOSTAT_DETECTOR_BASELINE_SECONDS: ['baselineSeconds'],
  HOMEOSTAT_DETECTOR_MIN_BASELINE_POINTS: ['minBaselinePoints'],
  HOMEOSTAT_DETECTOR_SENSITIVITY: ['sensitivity'],
  HOMEOSTAT_DETECTOR_FOR_SECONDS: ['forSeconds'],
  HOMEOSTAT_DETECTOR_SEASONAL_PERIOD_SECONDS: ['seasonalPeriodSeconds'],
  HOMEOSTAT_DETECTOR_SLOS: ['slos'],
  HOMEOSTAT_DETECTOR_EVALUATIONS_PER_RUN: ['evaluationsPerRun'],
  HOMEOSTAT_DETECTOR_INCIDENT_SCOPE: ['incidentScope'],
};

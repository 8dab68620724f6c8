import { z } from 'zod';
import { FAULT_NAMES } from './faultScenarios';
import { actionIdSchema, behaviourSchema } from './fleetModel';

/** Request bodies of the control API. Strict: an unknown field is an error, not silently ignored. */

const targets = z.array(z.string().min(1).max(100)).min(1).max(50).optional();
const who = z.string().min(1).max(200);

export const deployBody = z.strictObject({
  actionId: actionIdSchema,
  release: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits and . _ - only'),
  by: who,
  targets,
  behaviour: behaviourSchema.partial().optional(),
});

export const rollbackBody = z.strictObject({ actionId: actionIdSchema, by: who });

export const restartBody = z.strictObject({ actionId: actionIdSchema, targets });

export const weightsBody = z.strictObject({
  actionId: actionIdSchema,
  weights: z
    .strictObject({
      primary: z.number().int().min(0).max(100).optional(),
      standby: z.number().int().min(0).max(100).optional(),
    })
    .refine((w) => w.primary !== undefined || w.standby !== undefined, 'name at least one pool'),
});

export const scaleBody = z.strictObject({ actionId: actionIdSchema, desiredCount: z.number().int() });

export const clearCacheBody = z.strictObject({ actionId: actionIdSchema, targets });

export const replayBody = z.strictObject({
  actionId: actionIdSchema,
  max: z.number().int().min(1).max(100_000).optional(),
});

export const faultBody = z.strictObject({
  actionId: actionIdSchema,
  scenario: z.enum(FAULT_NAMES),
  target: z.string().min(1).max(100).optional(),
  by: who.optional(),
});

export const clearFaultBody = z.strictObject({ actionId: actionIdSchema, scenario: z.enum(FAULT_NAMES) });

/** Back to the initial state; `by` names who reset in the deploy history (default `reset`). */
export const resetBody = z.strictObject({ actionId: actionIdSchema, by: who.optional() });

const time = z.string().transform((v, ctx) => {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: 'epoch milliseconds or an ISO time' });
  return ms;
});
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const seriesQuery = z.strictObject({
  metrics: z
    .string()
    .min(1)
    .transform((v) =>
      v
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    ),
  from: time.optional(),
  to: time.optional(),
  step: z.coerce.number().int().min(1).max(3600).default(1),
  byRelease: flag.optional(),
  byTarget: flag.optional(),
  byPool: flag.optional(),
});

export const deploymentsQuery = z.strictObject({ since: time.optional() });

/** The field a zod error is about, as a dotted path (`weights.primary`), for the 4xx body. */
export function fieldOf(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'body';
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return [path, ...issue.keys].filter(Boolean).join('.');
  return path || 'body';
}

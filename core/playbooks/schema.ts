import { z } from 'zod';
import { FAILURE_CLASSES } from '../model/incidentState';

/** The playbook catalog format. Data, validated when loaded; a resolved plan is what an incident keeps. */

const verifySchema = z
  .object({
    metric: z.string().min(1),
    /** Absolute bounds… */
    max: z.number().optional(),
    min: z.number().optional(),
    /** …or a bound relative to the diagnosed baseline: healthy when at most factor × baseline (+ floor). */
    maxFactor: z.number().positive().optional(),
    floor: z.number().min(0).default(0),
    bakeSeconds: z.number().min(0).max(3600),
    windowSeconds: z.number().positive().max(3600),
    scope: z.enum(['targets', 'service']).default('targets'),
  })
  .refine((v) => v.max !== undefined || v.min !== undefined || v.maxFactor !== undefined, {
    message: 'give max, min or maxFactor',
  });

const actionSchema = z.discriminatedUnion('do', [
  z.object({ do: z.literal('rollback') }),
  z.object({ do: z.literal('restart') }),
  z.object({ do: z.literal('reroute'), weights: z.record(z.string(), z.number().int().min(0).max(100)) }),
  z.object({ do: z.literal('scale'), factor: z.number().min(1).max(10), max: z.number().int().positive() }),
  z.object({ do: z.literal('clear-cache') }),
  z.object({ do: z.literal('replay-dead-letters'), max: z.number().int().positive().optional() }),
]);

/**
 * Undo a step once the service has recovered and `metric` has settled back near its baseline: e.g. a
 * scale-out returns to its original size after the backlog or the surge is gone. Settled means every
 * sample of the last `settleSeconds` within the bound; the step is left in place if that takes longer
 * than `maxWaitSeconds` (the incident says so).
 */
const restoreAfterSchema = z
  .object({
    metric: z.string().min(1),
    max: z.number().optional(),
    /** Relative to the diagnosed baseline: settled when at most factor × baseline (+ floor). */
    maxFactor: z.number().positive().optional(),
    floor: z.number().min(0).default(0),
    settleSeconds: z.number().positive().max(3600),
    maxWaitSeconds: z.number().positive().max(86_400),
  })
  .refine((r) => r.max !== undefined || r.maxFactor !== undefined, { message: 'give max or maxFactor' });

const stepSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    action: actionSchema,
    verify: verifySchema,
    /** Defaults by action: rollback → restore-release, reroute → restore-weights, scale → restore-count. */
    compensation: z.enum(['restore-release', 'restore-weights', 'restore-count', 'none']).optional(),
    restoreAfter: restoreAfterSchema.optional(),
  })
  .refine((s) => !s.restoreAfter || s.compensation !== 'none', {
    path: ['restoreAfter'],
    message: 'a step restored after recovery needs a compensation (its undo is the restore)',
  });

const stageSchema = z.object({
  name: z.string().min(1),
  /** canary: the first affected target(s); rest: the other affected ones; all: every target; service: no targets. */
  targets: z.enum(['canary', 'rest', 'all', 'service']),
  steps: z.array(stepSchema).min(1),
});

export const playbookSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  failureClass: z.enum(FAILURE_CLASSES),
  description: z.string().min(1),
  requiresApproval: z.boolean(),
  approvalReason: z.string().optional(),
  canarySize: z.number().int().min(1).default(1),
  stages: z.array(stageSchema).min(1),
  recovery: verifySchema,
});

export const catalogSchema = z
  .object({
    version: z.literal(1),
    playbooks: z.array(playbookSchema).min(1),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.playbooks.forEach((p, i) => {
      if (seen.has(p.failureClass)) {
        ctx.addIssue({
          code: 'custom',
          path: ['playbooks', i, 'failureClass'],
          message: `second playbook for ${p.failureClass}`,
        });
      }
      seen.add(p.failureClass);
    });
  });

export type Catalog = z.output<typeof catalogSchema>;
export type Playbook = z.output<typeof playbookSchema>;
export type PlaybookVerify = z.output<typeof verifySchema>;
export type PlaybookAction = z.output<typeof actionSchema>;
export type PlaybookRestoreAfter = z.output<typeof restoreAfterSchema>;

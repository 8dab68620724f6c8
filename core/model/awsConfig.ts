import { z } from 'zod';

/**
 * Settings of the AWS provider (providers/aws). Owned by the AWS work; merged into config.ts under `aws`.
 *
 * Region and endpoint come from the environment too; the service mapping is too structured for
 * environment variables and comes from the JSON file named by HOMEOSTAT_CONFIG. Credentials are never
 * configured here: the SDK's default provider chain finds them (environment, profile, SSO, IMDS, IRSA).
 */

/** Names AWS uses for ECS clusters and services, ALB target groups: letters, digits, `-` and `_`. */
const awsName = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected an AWS name (letters, digits, - and _)');
/** Cell and pool names also end up in resource tags, whose values allow only a few punctuation marks. */
const label = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, ".", "_" or "-"');

export const awsCellSchema = z.object({
  /** The target id Homeostat uses (staged remediation names cells: stage 1 the canary cell). */
  name: label,
  cluster: awsName,
  /** The ECS service name inside the cluster. */
  service: awsName,
  /** The pool (key of `traffic.targetGroups`) this cell serves, when traffic can shift between cells. */
  pool: label.optional(),
});

export const awsTrafficSchema = z.object({
  /** The listener whose default forward action splits traffic between target groups. */
  listenerArn: z.string().startsWith('arn:', 'expected a listener ARN'),
  /** A listener rule to change instead of the default action (path- or host-based routing). */
  ruleArn: z.string().startsWith('arn:', 'expected a listener rule ARN').optional(),
  /** Pool name → target group ARN. Weights, metrics and `pool` labels use the pool names. */
  targetGroups: z
    .record(label, z.string().startsWith('arn:', 'expected a target group ARN'))
    .refine((m) => Object.keys(m).length > 0, 'name at least one target group'),
});

export const awsCustomMetricSchema = z.object({
  /** The series name Homeostat sees (a METRIC_NAMES entry such as `queue_depth`, or your own). */
  name: z.string().min(1),
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  dimensions: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** CloudWatch statistic: Average, Sum, Maximum, Minimum, SampleCount or a percentile like p95. */
  stat: z.string().min(1).default('Average'),
});

export const awsServiceSchema = z
  .object({
    cells: z.array(awsCellSchema).min(1, 'a service needs at least one cell'),
    traffic: awsTrafficSchema.optional(),
    /** Bounds for `scale`, per cell (ECS desired count of each cell's service). */
    scale: z
      .object({ min: z.number().int().min(0).default(1), max: z.number().int().min(1).default(20) })
      .refine((s) => s.min <= s.max, 'scale.min must not exceed scale.max')
      .default({ min: 1, max: 20 }),
    metrics: z
      .object({
        /**
         * Statistic for ALB TargetResponseTime (`latency_p95_ms`). p95 on AWS; emulators that cannot
         * compute percentiles (moto) need Maximum or Average.
         */
        latencyStat: z.string().min(1).default('p95'),
        custom: z.array(awsCustomMetricSchema).default([]),
      })
      .default({ latencyStat: 'p95', custom: [] }),
    /** Homeostat services this one calls (dependency-graph root cause). */
    dependencies: z.array(z.string().min(1)).default([]),
  })
  .superRefine((svc, ctx) => {
    const seen = new Set<string>();
    svc.cells.forEach((cell, i) => {
      if (seen.has(cell.name)) {
        ctx.addIssue({ code: 'custom', path: ['cells', i, 'name'], message: `duplicate cell ${cell.name}` });
      }
      seen.add(cell.name);
      if (cell.pool && !svc.traffic?.targetGroups[cell.pool]) {
        ctx.addIssue({
          code: 'custom',
          path: ['cells', i, 'pool'],
          message: `pool ${cell.pool} is not a key of traffic.targetGroups`,
        });
      }
    });
  });

export const awsConfigSchema = z.object({
  region: z.string().min(1).optional(),
  /** Endpoint override for moto or LocalStack (all three APIs on one URL). */
  endpoint: z.url().optional(),
  /** SDK attempts per call, including the first; throttling and 5xx are retried with backoff. */
  maxAttempts: z.coerce.number().int().min(1).max(20).default(5),
  /** `adaptive` also rate-limits the client itself after throttling; `standard` only backs off. */
  retryMode: z.enum(['standard', 'adaptive']).default('adaptive'),
  steadyState: z
    .object({
      /** How often an action re-reads the ECS service while it waits for steady state. */
      pollSeconds: z.coerce.number().min(0.05).max(300).default(15),
      /**
       * An action that waits longer fails (non-retryable): the rollout is stuck, a human should look.
       * The action activities' start-to-close timeout is derived from it (providers/aws awsMaxActionSeconds).
       */
      timeoutSeconds: z.coerce.number().min(1).max(7200).default(1800),
    })
    // A wait that cannot poll even once before its deadline would judge a rollout on a single read.
    .refine((s) => s.pollSeconds < s.timeoutSeconds, {
      path: ['pollSeconds'],
      message:
        'must be shorter than HOMEOSTAT_AWS_STEADY_TIMEOUT_SECONDS (aws.steadyState.timeoutSeconds), ' +
        'or the steady-state wait gives up before its second look',
    })
    .default({ pollSeconds: 15, timeoutSeconds: 1800 }),
  /** Homeostat service name → its cells, traffic split, bounds and metric sources. */
  services: z.record(z.string().min(1), awsServiceSchema).default({}),
});

export type AwsConfig = z.output<typeof awsConfigSchema>;
export type AwsServiceConfig = z.output<typeof awsServiceSchema>;
export type AwsCellConfig = z.output<typeof awsCellSchema>;
export type AwsCustomMetric = z.output<typeof awsCustomMetricSchema>;

/** Environment variable → path inside the `aws` section. */
export const AWS_ENV_KEYS: Record<string, readonly string[]> = {
  AWS_REGION: ['region'],
  HOMEOSTAT_AWS_ENDPOINT: ['endpoint'],
  HOMEOSTAT_AWS_MAX_ATTEMPTS: ['maxAttempts'],
  HOMEOSTAT_AWS_STEADY_POLL_SECONDS: ['steadyState', 'pollSeconds'],
  HOMEOSTAT_AWS_STEADY_TIMEOUT_SECONDS: ['steadyState', 'timeoutSeconds'],
};

import { z } from 'zod';

/** Settings of the AWS provider (providers/aws). Owned by the AWS work; merged into config.ts. */
export const awsConfigSchema = z.object({
  region: z.string().min(1).optional(),
  /** Endpoint override for moto or LocalStack. */
  endpoint: z.url().optional(),
});

/** Environment variable → path inside the `aws` section. */
export const AWS_ENV_KEYS: Record<string, readonly string[]> = {
  AWS_REGION: ['region'],
  HOMEOSTAT_AWS_ENDPOINT: ['endpoint'],
};

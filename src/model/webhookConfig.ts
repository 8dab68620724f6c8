import { z } from 'zod';

/** Settings of the alert webhook server (triggers/). Owned by the triggers work; merged into config.ts. */
export const webhookConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  host: z.string().min(1).default('127.0.0.1'),
});

/** Environment variable → path inside the `webhook` section. */
export const WEBHOOK_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_WEBHOOK_PORT: ['port'],
  HOMEOSTAT_WEBHOOK_HOST: ['host'],
};

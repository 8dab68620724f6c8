import { z } from 'zod';

/** Settings of the local fleet target (demo/ and providers/local). Owned by the fleet work; merged into config.ts. */
export const fleetConfigSchema = z.object({
  /** Control API of a running fleet; the embedded stack starts its own fleet when this is absent. */
  controlUrl: z.url().optional(),
  controlPort: z.coerce.number().int().min(0).max(65535).default(7400),
  /** Replicas each service starts with (2 primary + 1 standby by default). */
  replicasPerService: z.coerce.number().int().min(1).max(12).default(3),
  /** Steady synthetic load on `web`, requests a second (0 turns the load generator off). */
  loadRps: z.coerce.number().min(0).max(200).default(30),
});

/** Environment variable → path inside the `fleet` section. */
export const FLEET_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_FLEET_URL: ['controlUrl'],
  HOMEOSTAT_FLEET_CONTROL_PORT: ['controlPort'],
  HOMEOSTAT_FLEET_REPLICAS: ['replicasPerService'],
  HOMEOSTAT_FLEET_LOAD_RPS: ['loadRps'],
};

import type { HomeostatConfig } from '../core/model/config';
import { createAwsProviders } from './aws';
import { createLocalFleetProviders } from './local';
import type { Providers } from './types';

/**
 * The providers the configuration asks for. The local fleet needs its control URL (the embedded stack
 * passes the fleet it started); undefined means "no target yet" and incident activities say so.
 */
export function createProviders(cfg: HomeostatConfig, localControlUrl?: string): Providers | undefined {
  if (cfg.target === 'aws') return createAwsProviders(cfg.aws);
  const controlUrl = localControlUrl ?? cfg.fleet.controlUrl;
  return controlUrl ? createLocalFleetProviders({ controlUrl }) : undefined;
}

import type { HomeostatConfig } from '../core/model/config';
import { createAwsProviders } from './aws';
import { createLocalFleetProviders } from './local';
import { prometheusSignals } from './prometheus';
import type { Providers } from './types';

/**
 * The providers the configuration asks for. The local fleet needs its control URL (the embedded stack
 * passes the fleet it started); undefined means "no target yet" and incident activities say so.
 * `signals: prometheus` swaps in Prometheus for the metric series only: topology, deploys and
 * remediation still come from the target.
 */
export function createProviders(cfg: HomeostatConfig, localControlUrl?: string): Providers | undefined {
  const target = targetProviders(cfg, localControlUrl);
  if (!target || cfg.signals !== 'prometheus') return target;
  const preset = cfg.prometheus.preset ?? (cfg.target === 'local' ? 'fleet' : 'http');
  return { ...target, signals: prometheusSignals(cfg.prometheus, preset) };
}

function targetProviders(cfg: HomeostatConfig, localControlUrl?: string): Providers | undefined {
  if (cfg.target === 'aws') return createAwsProviders(cfg.aws);
  const controlUrl = localControlUrl ?? cfg.fleet.controlUrl;
  return controlUrl ? createLocalFleetProviders({ controlUrl }) : undefined;
}

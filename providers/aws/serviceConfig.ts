import type { AwsCellConfig, AwsConfig, AwsServiceConfig } from '../../core/model/awsConfig';
import { invalid } from './errors';

/** Finds a Homeostat service's AWS mapping; an unmapped service is a non-retryable error. */
export function serviceConfig(config: AwsConfig, service: string): AwsServiceConfig {
  const svc = config.services[service];
  if (!svc) {
    const known = Object.keys(config.services).join(', ') || 'none';
    throw invalid(`service ${service} has no aws.services entry (configured: ${known})`, 'UnknownService');
  }
  return svc;
}

/** The cells an action works on: the named targets, or all of the service's cells. */
export function selectCells(
  svc: AwsServiceConfig,
  service: string,
  targets?: readonly string[],
): AwsCellConfig[] {
  if (!targets) return svc.cells;
  return targets.map((id) => {
    const cell = svc.cells.find((c) => c.name === id);
    if (!cell) {
      const known = svc.cells.map((c) => c.name).join(', ');
      throw invalid(`service ${service} has no cell ${id} (cells: ${known})`, 'UnknownTarget');
    }
    return cell;
  });
}

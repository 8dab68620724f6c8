import type { AwsConfig } from '../../core/model/awsConfig';
import type { Providers } from '../types';
import { createAwsClients, type AwsClients } from './clients';
import { awsDeployHistory } from './deploys';
import { awsRemediation } from './remediation';
import { awsSignals } from './signals';

export { alarmHistory, type AlarmHistoryEntry } from './alarmHistory';
export { createAwsClients, destroyAwsClients, type AwsClients } from './clients';
export { AWS_METRIC_NAMES } from './metricQueries';

/**
 * The AWS providers: ECS cells (one ECS service per cell), ALB weights, CloudWatch signals.
 * Pass `clients` to share them or to use explicit credentials (tests); otherwise the SDK's default
 * credential chain is used with the configured region and endpoint.
 */
export function createAwsProviders(
  awsConfig: AwsConfig,
  clients: AwsClients = createAwsClients(awsConfig),
): Providers {
  return {
    signals: awsSignals(clients, awsConfig),
    deploys: awsDeployHistory(clients, awsConfig),
    remediation: awsRemediation(clients, awsConfig),
  };
}

import type { AwsConfig } from '../../core/model/awsConfig';
import type { Providers } from '../types';
import { createAwsClients, type AwsClients } from './clients';
import { awsDeployHistory } from './deploys';
import { awsRemediation } from './remediation';
import { awsSignals } from './signals';
import type { WaitClock } from './steadyState';

export { alarmHistory, type AlarmHistoryEntry } from './alarmHistory';
export { createAwsClients, destroyAwsClients, type AwsClients } from './clients';
export { AWS_METRIC_NAMES } from './metricQueries';

/**
 * Time an action spends outside its steady-state wait: per cell a DescribeServices, two TagResource and
 * an UpdateService (plus a DescribeTaskDefinition), each of which the SDK may retry with backoff under
 * throttling (`maxAttempts`, adaptive mode), and the wait's last read after its deadline.
 */
export const AWS_CALLS_MARGIN_SECONDS = 120;

/** The longest an AWS action may legitimately take: its steady-state wait limit plus its SDK calls. */
export function awsMaxActionSeconds(awsConfig: AwsConfig): number {
  return awsConfig.steadyState.timeoutSeconds + AWS_CALLS_MARGIN_SECONDS;
}

/**
 * The AWS providers: ECS cells (one ECS service per cell), ALB weights, CloudWatch signals.
 * Pass `clients` to share them or to use explicit credentials (tests); otherwise the SDK's default
 * credential chain is used with the configured region and endpoint.
 */
export function createAwsProviders(
  awsConfig: AwsConfig,
  clients: AwsClients = createAwsClients(awsConfig),
  /** The steady-state wait's clock (tests pass their own so a timeout needs no real time). */
  clock?: WaitClock,
): Providers {
  return {
    signals: awsSignals(clients, awsConfig),
    deploys: awsDeployHistory(clients, awsConfig),
    remediation: awsRemediation(clients, awsConfig, clock),
    maxActionSeconds: awsMaxActionSeconds(awsConfig),
  };
}

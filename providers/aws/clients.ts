import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsConfig } from '../../core/model/awsConfig';

/** The three SDK clients the AWS provider uses, built once per worker and shared by every action. */
export interface AwsClients {
  ecs: ECSClient;
  cloudwatch: CloudWatchClient;
  elbv2: ElasticLoadBalancingV2Client;
}

export interface AwsClientOptions {
  /** Explicit credentials (tests against moto); production leaves this out for the default chain. */
  credentials?: ECSClientConfig['credentials'];
}

/**
 * Retries live in the SDK: throttling, 5xx and network errors back off and retry up to `maxAttempts`
 * (adaptive mode also slows this client down after throttling). What still fails reaches errors.ts.
 */
export function createAwsClients(config: AwsConfig, options: AwsClientOptions = {}): AwsClients {
  const common = {
    region: config.region,
    endpoint: config.endpoint,
    maxAttempts: config.maxAttempts,
    retryMode: config.retryMode,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return {
    ecs: new ECSClient(common),
    cloudwatch: new CloudWatchClient(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.ecs.destroy();
  clients.cloudwatch.destroy();
  clients.elbv2.destroy();
}

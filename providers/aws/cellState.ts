import { DescribeServicesCommand, type Deployment, type Service } from '@aws-sdk/client-ecs';
import type { AwsCellConfig } from '../../core/model/awsConfig';
import type { AwsClients } from './clients';
import { aws, invalid } from './errors';

/** What an action needs to know about one cell's ECS service, read in one DescribeServices. */
export interface CellState {
  cell: AwsCellConfig;
  arn: string;
  /** The service's task definition ARN: the release the cell runs (or is rolling out). */
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deployments: Deployment[];
  tags: Record<string, string>;
}

/** DescribeServices takes at most 10 services per call. */
const DESCRIBE_BATCH = 10;

/** Reads the cells' ECS services (with tags, where the action ledger lives), in the cells' order. */
export async function readCells(
  clients: AwsClients,
  cells: readonly AwsCellConfig[],
  signal?: AbortSignal,
): Promise<CellState[]> {
  const byCluster = new Map<string, AwsCellConfig[]>();
  for (const cell of cells) byCluster.set(cell.cluster, [...(byCluster.get(cell.cluster) ?? []), cell]);

  const found = new Map<AwsCellConfig, CellState>();
  for (const [cluster, clusterCells] of byCluster) {
    for (let i = 0; i < clusterCells.length; i += DESCRIBE_BATCH) {
      const batch = clusterCells.slice(i, i + DESCRIBE_BATCH);
      const out = await aws(
        `DescribeServices ${cluster}`,
        (options) =>
          clients.ecs.send(
            new DescribeServicesCommand({
              cluster,
              services: batch.map((c) => c.service),
              include: ['TAGS'],
            }),
            options,
          ),
        signal,
      );
      for (const cell of batch) {
        const service = out.services?.find((s) => s.serviceName === cell.service);
        if (!service || service.status === 'INACTIVE') {
          const failure = out.failures?.find((f) => f.arn?.endsWith(`/${cell.service}`));
          throw invalid(
            `ECS service ${cell.service} of cell ${cell.name} not found in cluster ${cluster}` +
              (failure
                ? ` (${failure.reason ?? 'MISSING'}${failure.detail ? `: ${failure.detail}` : ''})`
                : ''),
            'ServiceNotFoundException',
          );
        }
        found.set(cell, toCellState(cell, service));
      }
    }
  }
  return cells.map((c) => found.get(c)!);
}

function toCellState(cell: AwsCellConfig, s: Service): CellState {
  return {
    cell,
    arn: s.serviceArn ?? '',
    taskDefinition: s.taskDefinition ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    deployments: s.deployments ?? [],
    tags: Object.fromEntries((s.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''])),
  };
}

export function primaryDeployment(state: CellState): Deployment | undefined {
  return state.deployments.find((d) => d.status === 'PRIMARY');
}

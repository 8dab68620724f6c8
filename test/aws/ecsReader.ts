import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { MotoServer } from './motoServer';
import { CELLS } from './seed';

/** Reads the cells' task definitions and counts with a client of its own (not counted by the tests). */
export async function cellsOnMoto(
  moto: MotoServer,
): Promise<Record<string, { taskDefinition: string; desiredCount: number; deploymentId: string }>> {
  const ecs = new ECSClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: 'prod', services: CELLS.map((c) => c.service) }),
    );
    return Object.fromEntries(
      CELLS.map((cell) => {
        const s = out.services!.find((x) => x.serviceName === cell.service)!;
        return [
          cell.name,
          {
            taskDefinition: s.taskDefinition!,
            desiredCount: s.desiredCount!,
            deploymentId: s.deployments!.find((d) => d.status === 'PRIMARY')!.id!,
          },
        ];
      }),
    );
  } finally {
    ecs.destroy();
  }
}

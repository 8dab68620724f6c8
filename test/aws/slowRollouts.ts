import type { Deployment, DescribeServicesCommandOutput, Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../providers/aws';

/**
 * ECS rollouts that take time, on moto. moto finishes every UpdateService at once (the new task
 * definition is in place and the deployment COMPLETED before the call returns); real ECS takes minutes,
 * during which DescribeServices shows the new PRIMARY deployment IN_PROGRESS beside the old one still
 * draining. This middleware on the provider's ECS client plays that timing: for `seconds` after an
 * UpdateService on a service, its DescribeServices answers show that shape (the one steadyState.test.ts
 * checks against real ECS answers). Everything else is moto's answer, unchanged.
 */
export interface SlowRollouts {
  /** Ends the service's rollout now; its later rollouts take `nextSeconds`. */
  finish(service: string, nextSeconds: number): void;
  /** When the service's current rollout started (ms), if one was sent. */
  startedAt(service: string): number | undefined;
  /** How many UpdateService calls reached the service. */
  updates(service: string): number;
  /** How many DescribeServices answers showed the service's rollout still in progress. */
  inProgressSeen(service: string): number;
}

export function slowRollouts(clients: AwsClients, secondsByService: Record<string, number>): SlowRollouts {
  const seconds = new Map(Object.entries(secondsByService));
  const rollouts = new Map<string, { startedAt: number; endsAt: number }>();
  const updates = new Map<string, number>();
  const seen = new Map<string, number>();

  clients.ecs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { service?: string; services?: string[] };
      if (context.commandName === 'UpdateServiceCommand' && input.service && seconds.has(input.service)) {
        const result = await next(args);
        const now = Date.now();
        updates.set(input.service, (updates.get(input.service) ?? 0) + 1);
        rollouts.set(input.service, { startedAt: now, endsAt: now + seconds.get(input.service)! * 1000 });
        return result;
      }
      const result = await next(args);
      if (context.commandName === 'DescribeServicesCommand') {
        const output = result.output as DescribeServicesCommandOutput;
        output.services = output.services?.map((s) => {
          const shown = inProgress(s, rollouts.get(s.serviceName ?? ''));
          if (shown !== s) seen.set(s.serviceName!, (seen.get(s.serviceName!) ?? 0) + 1);
          return shown;
        });
      }
      return result;
    },
    { step: 'initialize', name: 'homeostatTestSlowRollouts' },
  );

  return {
    finish(service, nextSeconds) {
      const rollout = rollouts.get(service);
      if (rollout) rollout.endsAt = Date.now();
      seconds.set(service, nextSeconds);
    },
    startedAt: (service) => rollouts.get(service)?.startedAt,
    updates: (service) => updates.get(service) ?? 0,
    inProgressSeen: (service) => seen.get(service) ?? 0,
  };
}

/** The service as ECS shows it mid-rollout: one task of the new deployment still pending, the old one draining. */
function inProgress(s: Service, rollout: { endsAt: number } | undefined): Service {
  if (!rollout || Date.now() >= rollout.endsAt) return s;
  const desired = s.desiredCount ?? 0;
  const deployments: Deployment[] = (s.deployments ?? []).map((d) =>
    d.status === 'PRIMARY' ? { ...d, rolloutState: 'IN_PROGRESS', runningCount: desired - 1 } : d,
  );
  deployments.push({ id: 'ecs-svc/draining', status: 'ACTIVE', rolloutState: 'COMPLETED', runningCount: 1 });
  return { ...s, deployments, runningCount: desired - 1, pendingCount: 1 };
}

import type { Deployment } from '@aws-sdk/client-ecs';
import type { CellState } from '../../providers/aws/cellState';
import { steadyProblem } from '../../providers/aws/steadyState';
import { ProviderError } from '../../providers/types';

/**
 * The steady-state rule on service shapes real ECS returns but moto cannot produce (two deployments in
 * flight, a circuit-breaker rollback). Pure logic: no SDK involved.
 */
const V1 = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/checkout:1';
const V2 = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/checkout:2';

function cell(taskDefinition: string, deployments: Deployment[], running = 2, desired = 2): CellState {
  return {
    cell: { name: 'checkout-cell-a', cluster: 'prod', service: 'checkout-a' },
    arn: 'arn:aws:ecs:eu-west-1:111122223333:service/prod/checkout-a',
    taskDefinition,
    desiredCount: desired,
    runningCount: running,
    pendingCount: desired - running,
    deployments,
    tags: {},
  };
}

describe('steady state on ECS', () => {
  it('waits while the new deployment rolls out beside the old one', () => {
    const rolling = cell(V1, [
      { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: V1, rolloutState: 'IN_PROGRESS' },
      { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: V2, rolloutState: 'COMPLETED' },
    ]);
    expect(steadyProblem(rolling, { taskDefinition: V1 })).toBe('2 deployments in flight');
  });

  it('is steady once one COMPLETED deployment on the wanted release is left and all tasks run', () => {
    const done = cell(V1, [
      { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: V1, rolloutState: 'COMPLETED' },
    ]);
    expect(steadyProblem(done, { taskDefinition: V1 })).toBeUndefined();
    expect(steadyProblem(done, { taskDefinition: V2 })).toBe('on checkout:1, not checkout:2');
    const short = cell(
      V1,
      [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: V1, rolloutState: 'COMPLETED' }],
      1,
    );
    expect(steadyProblem(short, { taskDefinition: V1 })).toBe('running 1 of 2 (1 pending)');
  });

  it('fails fast, not retryable, when the circuit breaker rolled the wanted release back', () => {
    const rolledBack = cell(V2, [
      { id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: V2, rolloutState: 'IN_PROGRESS' },
      {
        id: 'ecs-svc/2',
        status: 'ACTIVE',
        taskDefinition: V1,
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      },
    ]);
    let err: unknown;
    try {
      steadyProblem(rolledBack, { taskDefinition: V1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'RolloutFailed', retryable: false });
    expect((err as Error).message).toMatch(/checkout:1 failed \(ECS deployment circuit breaker/);
  });
});

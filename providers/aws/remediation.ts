import { DescribeTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { AwsConfig } from '../../core/model/awsConfig';
import {
  ProviderError,
  type ActionOutcome,
  type ActionRequest,
  type RemediationProvider,
  type Topology,
} from '../types';
import type { AwsClients } from './clients';
import { anyApplied, runCellAction, type CellResult } from './cellAction';
import { primaryDeployment, readCells, type CellState } from './cellState';
import { aws, invalid } from './errors';
import { setWeightsOnAws } from './reroute';
import { selectCells, serviceConfig } from './serviceConfig';
import { shortRelease, steadyProblem, type WaitClock, type WaitOptions } from './steadyState';
import { readForward } from './weights';

/** Remediation on ECS cells (one ECS service per cell) and ALB weights. Every action checks before it acts. */
export function awsRemediation(
  clients: AwsClients,
  config: AwsConfig,
  clock?: WaitClock,
): RemediationProvider {
  const wait: WaitOptions = {
    pollMs: config.steadyState.pollSeconds * 1000,
    timeoutMs: config.steadyState.timeoutSeconds * 1000,
    ...(clock ? { clock } : {}),
  };
  const cellsOf = async (service: string, targets: readonly string[] | undefined, signal?: AbortSignal) =>
    readCells(clients, selectCells(serviceConfig(config, service), service, targets), signal);

  return {
    async describe(service: string): Promise<Topology> {
      const svc = serviceConfig(config, service);
      const states = await readCells(clients, svc.cells);
      const weights = svc.traffic ? (await readForward(clients, svc.traffic)).weights : {};
      return {
        service,
        targets: states.map((s) => ({
          id: s.cell.name,
          release: s.taskDefinition,
          healthy: isSteady(s),
          ...(s.cell.pool ? { pool: s.cell.pool } : {}),
        })),
        weights,
        // Per cell: scale() sets every cell's desired count to one number, so report the largest.
        desiredCount: Math.max(0, ...states.map((s) => s.desiredCount)),
        dependencies: svc.dependencies,
      };
    },

    async setRelease(req) {
      const release = await resolveTaskDefinition(clients, req.release, req.signal);
      const states = await cellsOf(req.service, req.targets, req.signal);
      const results = await runCellAction(
        clients,
        req,
        states,
        {
          kind: 'set-release',
          isDone: (s) => s.taskDefinition === release,
          want: () => ({ taskDefinition: release }),
          afterRelease: () => release,
          act: (s) => updateService(clients, s.cell, { taskDefinition: release }, req.signal),
          describeAct: (s) =>
            `${s.cell.name}: UpdateService → ${shortRelease(release)}; waiting for steady state`,
        },
        wait,
      );
      return outcome(req, results, `release ${shortRelease(release)}`, {
        before: { release: byCell(results, (r) => r.before.release) },
        after: { release: byCell(results, () => release) },
      });
    },

    async restart(req) {
      const states = await cellsOf(req.service, req.targets, req.signal);
      const results = await runCellAction(
        clients,
        req,
        states,
        {
          kind: 'restart',
          // Only this action's own ledger can say a restart already happened: a new primary deployment.
          isDone: (s, mine) => mine !== undefined && primaryDeployment(s)?.id !== mine.beforeDeployment,
          want: (s, mine) => ({
            taskDefinition: s.taskDefinition,
            replacedDeployment: mine?.beforeDeployment ?? primaryDeployment(s)?.id,
          }),
          afterRelease: (s) => s.taskDefinition,
          act: (s) => updateService(clients, s.cell, { forceNewDeployment: true }, req.signal),
          describeAct: (s) => `${s.cell.name}: new deployment started; waiting for steady state`,
        },
        wait,
      );
      const releases = byCell(results, (r) => r.state.taskDefinition);
      return outcome(req, results, 'restart', {
        before: { release: releases },
        after: { release: releases },
      });
    },

    async scale(req) {
      const svc = serviceConfig(config, req.service);
      const { min, max } = svc.scale;
      if (!Number.isInteger(req.desiredCount) || req.desiredCount < min || req.desiredCount > max) {
        throw invalid(
          `scale ${req.service} to ${req.desiredCount}: outside aws.services.${req.service}.scale [${min}, ${max}]`,
          'ScaleOutOfBounds',
        );
      }
      const states = await cellsOf(req.service, undefined, req.signal);
      const desiredCount = req.desiredCount;
      const results = await runCellAction(
        clients,
        req,
        states,
        {
          kind: 'scale',
          isDone: (s) => s.desiredCount === desiredCount,
          want: () => ({ desiredCount }),
          afterRelease: (s) => s.taskDefinition,
          act: (s) => updateService(clients, s.cell, { desiredCount }, req.signal),
          describeAct: (s) => `${s.cell.name}: desired count → ${desiredCount}; waiting for steady state`,
        },
        wait,
      );
      return outcome(req, results, `desired count ${desiredCount} per cell`, {
        before: { desiredCount: Math.max(0, ...results.map((r) => r.before.desiredCount)) },
        after: { desiredCount },
      });
    },

    setWeights: (req) => setWeightsOnAws(clients, config, req),

    clearCache() {
      return Promise.reject(notSupported('clearCache', 'ECS services have no cache API; use restart'));
    },
    replayDeadLetters() {
      return Promise.reject(
        notSupported('replayDeadLetters', 'no dead-letter queue is mapped for ECS services'),
      );
    },
  };
}

function notSupported(action: string, why: string): ProviderError {
  return new ProviderError(`${action} is not supported on AWS (${why})`, 'NotSupported', false);
}

async function updateService(
  clients: AwsClients,
  cell: { cluster: string; service: string },
  change: { taskDefinition?: string; desiredCount?: number; forceNewDeployment?: boolean },
  signal: AbortSignal | undefined,
): Promise<void> {
  await aws(
    `UpdateService ${cell.cluster}/${cell.service}`,
    (options) =>
      clients.ecs.send(
        new UpdateServiceCommand({ cluster: cell.cluster, service: cell.service, ...change }),
        options,
      ),
    signal,
  );
}

/** The full ARN of `family:revision` (or an ARN as given): the service reports ARNs, we compare with them. */
async function resolveTaskDefinition(
  clients: AwsClients,
  release: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (release.startsWith('arn:')) return release;
  const out = await aws(
    `DescribeTaskDefinition ${release}`,
    (options) => clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: release }), options),
    signal,
  );
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn) throw invalid(`task definition ${release} not found`, 'TaskDefinitionNotFound');
  return arn;
}

function byCell(results: readonly CellResult[], value: (r: CellResult) => string): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.state.cell.name, value(r)]));
}

function outcome(
  req: ActionRequest,
  results: readonly CellResult[],
  what: string,
  change: Pick<ActionOutcome, 'before' | 'after'>,
): ActionOutcome {
  const cells = (how: CellResult['how']) =>
    results
      .filter((r) => r.how === how)
      .map((r) => r.state.cell.name)
      .join(', ');
  const parts = [
    ['sent', 'applied to'],
    ['resumed', 'applied earlier to'],
    ['repeat', 'already done on'],
    ['noop', 'already in place on'],
  ] as const;
  const summary = parts
    .filter(([how]) => cells(how))
    .map(([how, text]) => `${what} ${text} ${cells(how)}`)
    .join('; ');
  return { actionId: req.actionId, applied: anyApplied(results), summary, ...change };
}

/** Healthy target = steady service; a failed rollout is unhealthy here, not an error. */
function isSteady(state: CellState): boolean {
  try {
    return steadyProblem(state) === undefined;
  } catch {
    return false;
  }
}

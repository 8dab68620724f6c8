import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import type { AwsConfig } from '../../core/model/awsConfig';
import type { DeployHistoryProvider, Deployment } from '../types';
import type { AwsClients } from './clients';
import { readCells, type CellState } from './cellState';
import { aws } from './errors';
import { readLedger } from './ledger';
import { serviceConfig } from './serviceConfig';

/**
 * Deploy history from ECS. ECS keeps a service's deployments only while they matter (the PRIMARY one and
 * any still being replaced), so this sees the current release of each cell and any rollout in flight;
 * older history lives in CloudTrail, which we do not read. One Deployment per release, listing the
 * cells it reached.
 *
 * previousRelease, in order of preference: the deployment being replaced (a rollout in flight); the
 * `before` our own ledger recorded, when Homeostat made the deployment; else the highest ACTIVE revision
 * of the same task definition family below the deployed one — the rollback target. Deregister a bad
 * revision to make the rollback skip it.
 *
 * by: `homeostat:<actionId>` when our ledger tags say we deployed it, else the task definition's
 * registeredBy (the IAM principal that registered the revision, usually CI).
 */
export function awsDeployHistory(clients: AwsClients, config: AwsConfig): DeployHistoryProvider {
  return {
    async deployments(service: string, since: Date): Promise<Deployment[]> {
      const states = await readCells(clients, serviceConfig(config, service).cells);
      const byRelease = new Map<string, Deployment>();
      for (const state of states) {
        for (const d of state.deployments) {
          const at = d.createdAt;
          if (!at || at < since) continue;
          // moto keeps the CreateService record on the primary deployment; the service field is current.
          const release = d.status === 'PRIMARY' ? state.taskDefinition : (d.taskDefinition ?? '');
          const seen = byRelease.get(release);
          if (seen) {
            seen.targets = [...(seen.targets ?? []), state.cell.name];
            if (at.toISOString() < seen.at) seen.at = at.toISOString();
            continue;
          }
          byRelease.set(release, {
            id: d.id ?? release,
            service,
            release,
            previousRelease: replacedBy(state, release),
            at: at.toISOString(),
            targets: [state.cell.name],
            by: ourAction(state, release),
          });
        }
      }
      const history = [...byRelease.values()].sort((a, b) => a.at.localeCompare(b.at));
      for (const deployment of history) {
        deployment.previousRelease ??= await previousRevision(clients, deployment.release);
        deployment.by ??= await registeredBy(clients, deployment.release);
        if (deployment.previousRelease === undefined) delete deployment.previousRelease;
        if (deployment.by === undefined) delete deployment.by;
      }
      return history;
    },
  };
}

function replacedBy(state: CellState, release: string): string | undefined {
  const replaced = state.deployments.find((d) => d.status === 'ACTIVE' && d.taskDefinition !== release);
  if (replaced?.taskDefinition) return replaced.taskDefinition;
  const ledger = readLedger(state.tags);
  if (ledger?.kind === 'set-release' && ledger.afterRelease === release && ledger.beforeRelease !== release) {
    return ledger.beforeRelease;
  }
  return undefined;
}

function ourAction(state: CellState, release: string): string | undefined {
  const ledger = readLedger(state.tags);
  return ledger?.kind === 'set-release' && ledger.afterRelease === release
    ? `homeostat:${ledger.actionId}`
    : undefined;
}

/** `arn:…:task-definition/family:7` → { family, revision: 7 }. */
function parseRevision(arn: string): { family: string; revision: number } | undefined {
  const match = /task-definition\/([^:/]+):(\d+)$/.exec(arn);
  return match ? { family: match[1]!, revision: Number(match[2]) } : undefined;
}

async function previousRevision(clients: AwsClients, release: string): Promise<string | undefined> {
  const current = parseRevision(release);
  if (!current) return undefined;
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await aws(`ListTaskDefinitions ${current.family}`, () =>
      clients.ecs.send(
        new ListTaskDefinitionsCommand({
          familyPrefix: current.family,
          status: 'ACTIVE',
          sort: 'DESC',
          nextToken,
        }),
      ),
    );
    arns.push(...(out.taskDefinitionArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  // Sorted here too: familyPrefix is a prefix match on AWS, and moto ignores `sort`.
  return arns
    .map((arn) => ({ arn, parsed: parseRevision(arn) }))
    .filter((r) => r.parsed?.family === current.family && r.parsed.revision < current.revision)
    .sort((a, b) => b.parsed!.revision - a.parsed!.revision)[0]?.arn;
}

async function registeredBy(clients: AwsClients, release: string): Promise<string | undefined> {
  if (!release) return undefined;
  const out = await aws(`DescribeTaskDefinition ${release}`, () =>
    clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: release })),
  );
  return out.taskDefinition?.registeredBy;
}

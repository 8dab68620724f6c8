import { parseArgs } from 'node:util';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConfigError, loadConfig } from '../core/model/config';
import { updateGovernor } from '../activities/governor';
import { governorWorkflowId, type Pause } from '../core/model/governor';
import { INCIDENT_WORKFLOW_TYPE } from '../core/model/incident';
import type { SafetyLimits } from '../core/model/permits';
import { abortUpdate, approveUpdate, stateQuery } from '../workflows/api';
import { governorQuery, pauseUpdate, resetBreakerUpdate, resumeUpdate } from '../workflows/governorApi';
import { connectClient } from '../workers/connection';
import { formatState } from './format';
import { formatGovernor } from '../core/model/governorSummary';
import { toWorkflowId } from './incidentId';

const USAGE = `usage: homeostat <command>

  list [--all]                                   open incidents (--all: closed ones too)
  status <incident>                              phase, diagnosis, plan, approvals, timeline
  approve <incident> --by <who> --reason <why> [--fast-path]
  abort <incident> --by <who> --reason <why>
  pause --by <who> --reason <why>                stop automated remediation everywhere (anyone may)
  resume --by <who> --reason <why>               let it act again (approvers only)
  safety                                         pause, circuit breakers, rate limits, blast radius
  reset-breaker <service> --by <who> --reason <why>
                                                 close an open circuit breaker (approvers only)

<incident> is a workflow id (incident:checkout) or an incident key (checkout).
Connects to TEMPORAL_ADDRESS, or to the embedded stack (127.0.0.1:7233 by default).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      by: { type: 'string' },
      reason: { type: 'string' },
      'fast-path': { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!['list', 'status', 'approve', 'abort', 'pause', 'resume', 'safety', 'reset-breaker'].includes(command))
    throw new UsageError(`unknown command '${command}'`);

  const cfg = loadConfig();
  const address = cfg.temporal.address ?? `${cfg.embedded.ip}:${cfg.embedded.port}`;
  const connection = await connectClient(cfg, address).catch((err: unknown) => {
    throw new Error(
      `cannot reach Temporal at ${address} (${(err as Error).message}); is \`npm start\` running?`,
    );
  });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  try {
    if (command === 'list')
      return await list(client, values.all, governorWorkflowId(cfg.worker.taskQueue), cfg.safety);
    if (command === 'pause' || command === 'resume') {
      const { by, reason } = whoAndWhy(command, values);
      const state =
        command === 'pause'
          ? await updateGovernor(client, cfg.worker.taskQueue, pauseUpdate, { by, reason })
          : await client.workflow
              .getHandle(governorWorkflowId(cfg.worker.taskQueue))
              .executeUpdate(resumeUpdate, { args: [{ by, reason }] });
      console.log(state.paused ? pauseLine(state.paused) : `automation resumed by ${by}: ${reason}`);
      return 0;
    }
    if (command === 'safety') {
      const state = await client.workflow
        .getHandle(governorWorkflowId(cfg.worker.taskQueue))
        .query(governorQuery)
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return undefined; // nothing ever asked: all clear
          throw err;
        });
      console.log(values.json ? JSON.stringify(state ?? null, null, 2) : formatGovernor(state, cfg.safety));
      return 0;
    }
    if (command === 'reset-breaker') {
      const service = positionals[0];
      if (!service) throw new UsageError('reset-breaker needs a service (see `homeostat safety`)');
      const { by, reason } = whoAndWhy(command, values);
      await client.workflow
        .getHandle(governorWorkflowId(cfg.worker.taskQueue))
        .executeUpdate(resetBreakerUpdate, { args: [{ by, reason, service }] });
      console.log(`circuit breaker of ${service} closed by ${by}: ${reason}`);
      return 0;
    }
    const target = positionals[0];
    if (!target) throw new UsageError(`${command} needs an incident id (see \`homeostat list\`)`);
    const workflowId = toWorkflowId(target);
    const handle = client.workflow.getHandle(workflowId);
    if (command === 'status') {
      const state = await handle.query(stateQuery);
      console.log(values.json ? JSON.stringify(state, null, 2) : formatState(state));
      return 0;
    }
    const { by, reason } = whoAndWhy(command, values);
    const decision =
      command === 'approve'
        ? await handle.executeUpdate(approveUpdate, { args: [{ by, reason, fastPath: values['fast-path'] }] })
        : await handle.executeUpdate(abortUpdate, { args: [{ by, reason }] });
    console.log(`${workflowId}: ${decision.message}`);
    return 0;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError && command === 'resume') {
      console.error('refused: automation is not paused (nobody has paused it)');
      return 1;
    }
    if (err instanceof WorkflowNotFoundError && command === 'reset-breaker') {
      console.error(`refused: the circuit breaker of ${positionals[0]} is not open`);
      return 1;
    }
    if (err instanceof WorkflowNotFoundError) {
      console.error(`no incident ${positionals[0]} (\`homeostat list --all\` shows the incidents there are)`);
      return 1;
    }
    if (err instanceof WorkflowUpdateFailedError) {
      console.error(`refused: ${err.cause?.message ?? err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await connection.close();
  }
}

function whoAndWhy(
  command: string,
  values: { by?: string; reason?: string },
): { by: string; reason: string } {
  const by = values.by?.trim();
  const reason = values.reason?.trim();
  if (!by || !reason) {
    throw new UsageError(
      `${command} needs --by <who> and --reason <why>, e.g. --by alice --reason "canary looks fine"`,
    );
  }
  return { by, reason };
}

const pauseLine = (p: Pause): string =>
  `AUTOMATION PAUSED by ${p.by} since ${p.at}: ${p.reason} (npx homeostat resume --by <approver> --reason <why>)`;

async function list(client: Client, all: boolean, governorId: string, limits: SafetyLimits): Promise<number> {
  const governor = await client.workflow
    .getHandle(governorId)
    .query(governorQuery)
    .catch(() => undefined);
  if (governor?.paused) console.log(pauseLine(governor.paused));
  for (const [service, breaker] of Object.entries(governor?.permits?.breakers ?? {})) {
    if (breaker.failures.length >= limits.breakerFailures)
      console.log(
        `CIRCUIT BREAKER OPEN for ${service}: its remediations wait for a human (homeostat safety)`,
      );
  }
  const query = `WorkflowType="${INCIDENT_WORKFLOW_TYPE}"${all ? '' : ' AND ExecutionStatus="Running"'}`;
  let n = 0;
  for await (const wf of client.workflow.list({ query })) {
    const sa = wf.searchAttributes ?? {};
    const get = (k: string): string => String((sa[k] as unknown[] | undefined)?.[0] ?? '-');
    console.log(
      [
        wf.workflowId,
        get('HomeostatPhase'),
        get('HomeostatFailureClass'),
        get('HomeostatOutcome'),
        wf.startTime.toISOString(),
      ].join('  '),
    );
    n++;
  }
  if (n === 0) console.log(all ? 'no incidents' : 'no open incidents (--all shows closed ones)');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(
      err instanceof ConfigError ? err.message : `error: ${(err as Error).message ?? String(err)}`,
    );
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);

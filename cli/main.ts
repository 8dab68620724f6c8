import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { connectClient } from '../client/connection';
import { toWorkflowId } from '../client/incidentId';
import { createOperator, type Operator } from '../client/operator';
import type { Refusal } from '../client/outcome';
import { ConfigError, loadConfig } from '../core/model/config';
import type { Pause } from '../core/model/governor';
import { formatGovernor } from '../core/model/governorSummary';
import type { SafetyLimits } from '../core/model/permits';
import { auditCommand } from './audit';
import { formatState } from './format';
import { isSilenceCommand, parseSilenceArgs, runSilenceCommand, SILENCE_COMMANDS } from './silence';
import { describeSilence, pruneSilences } from '../core/model/silence';
import { reportCommand } from './report';
import { durationProblem } from '../client/stats/since';
import { statsCommand } from './stats';
import { feedbackCommand } from './feedback';
import { learningCommand } from './learning';

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
  silence <service> [--class <failure-class>] --for <30m|2h|1d> --by <who> --reason <why>
                                                 no automated action on it until then (anyone may)
  unsilence <silence-id|service> --by <who> --reason <why>
                                                 lift a silence early (approvers only)
  feedback <incident> noise|right|wrong --by <who> --reason <why>
                                                 teach from a closed incident (right/noise: approvers only)
  learning [revert <id> --by <who> --reason <why>]
                                                 what feedback changed; undo one change (approvers only)
  report <incident> [--out file.md] [--json]     postmortem draft (Markdown) of a closed or open incident
  stats [--since 30d] [--service S] [--json]     closed incidents by outcome; success rate, MTTR per playbook/class
  audit [--since 7d] [--who alice] [--json]      every human decision and action taken, oldest first

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
      out: { type: 'string' },
      since: { type: 'string' },
      service: { type: 'string' },
      who: { type: 'string' },
      for: { type: 'string' },
      class: { type: 'string' },
    },
  });
  if (
    ![
      'list',
      'status',
      'approve',
      'abort',
      'pause',
      'resume',
      'safety',
      'reset-breaker',
      'feedback',
      'learning',
      'report',
      'stats',
      'audit',
      ...SILENCE_COMMANDS,
    ].includes(command)
  )
    throw new UsageError(`unknown command '${command}'`);
  const badSince = values.since === undefined ? undefined : durationProblem(values.since);
  if (badSince) throw new UsageError(badSince);

  const silenceArgs = isSilenceCommand(command)
    ? parseSilenceArgs(command, positionals, values, (m) => new UsageError(m))
    : undefined;
  const cfg = loadConfig();
  const address = cfg.temporal.address ?? `${cfg.embedded.ip}:${cfg.embedded.port}`;
  const connection = await connectClient(cfg, address).catch((err: unknown) => {
    throw new Error(
      `cannot reach Temporal at ${address} (${(err as Error).message}); is \`npm start\` running?`,
    );
  });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  const operator = createOperator(client, cfg.worker.taskQueue);
  try {
    if (command === 'feedback' || command === 'learning')
      return await (command === 'feedback' ? feedbackCommand : learningCommand)(
        client,
        cfg,
        positionals,
        values,
      );
    if (command === 'report') return await reportCommand(client, positionals[0], values);
    if (command === 'stats') return await statsCommand(client, values);
    if (command === 'audit') return await auditCommand(client, operator, values);
    if (command === 'list') return await list(operator, values.all, cfg.safety);
    if (silenceArgs) return await runSilenceCommand(operator, silenceArgs);
    if (command === 'pause' || command === 'resume') {
      const { by, reason } = whoAndWhy(command, values);
      const result =
        command === 'pause' ? await operator.pause({ by, reason }) : await operator.resume({ by, reason });
      if (!result.ok) return refused(result, 'refused: automation is not paused (nobody has paused it)');
      console.log(
        result.value.paused ? pauseLine(result.value.paused) : `automation resumed by ${by}: ${reason}`,
      );
      return 0;
    }
    if (command === 'safety') {
      const state = await operator.governor(); // null: nothing ever asked, all clear
      console.log(
        values.json ? JSON.stringify(state, null, 2) : formatGovernor(state ?? undefined, cfg.safety),
      );
      return 0;
    }
    if (command === 'reset-breaker') {
      const service = positionals[0];
      if (!service) throw new UsageError('reset-breaker needs a service (see `homeostat safety`)');
      const { by, reason } = whoAndWhy(command, values);
      const result = await operator.resetBreaker({ by, reason, service });
      if (!result.ok) return refused(result, `refused: the circuit breaker of ${service} is not open`);
      console.log(`circuit breaker of ${service} closed by ${by}: ${reason}`);
      return 0;
    }
    const target = positionals[0];
    if (!target) throw new UsageError(`${command} needs an incident id (see \`homeostat list\`)`);
    const workflowId = toWorkflowId(target);
    const noIncident = `no incident ${target} (\`homeostat list --all\` shows the incidents there are)`;
    if (command === 'status') {
      const state = await operator.state(workflowId);
      if (!state.ok) return refused(state, noIncident);
      console.log(values.json ? JSON.stringify(state.value, null, 2) : formatState(state.value));
      return 0;
    }
    const { by, reason } = whoAndWhy(command, values);
    const decision =
      command === 'approve'
        ? await operator.approve(workflowId, { by, reason, fastPath: values['fast-path'] })
        : await operator.abort(workflowId, { by, reason });
    if (!decision.ok) return refused(decision, noIncident);
    console.log(`${workflowId}: ${decision.value.message}`);
    return 0;
  } finally {
    await connection.close();
  }
}

/**
 * Prints why the answer was no and returns exit code 1. `notFound` is the line for a missing workflow,
 * worded for the command at hand: no governor means nothing to resume or reset, no incident a typo.
 */
function refused(result: Refusal, notFound: string): number {
  console.error(result.reason === 'not-found' ? notFound : `refused: ${result.message}`);
  return 1;
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

async function list(operator: Operator, all: boolean, limits: SafetyLimits): Promise<number> {
  const governor = await operator.governor().catch(() => null);
  if (governor?.paused) console.log(pauseLine(governor.paused));
  for (const [service, breaker] of Object.entries(governor?.permits?.breakers ?? {})) {
    if (breaker.failures.length >= limits.breakerFailures)
      console.log(
        `CIRCUIT BREAKER OPEN for ${service}: its remediations wait for a human (homeostat safety)`,
      );
  }
  for (const silence of pruneSilences(governor?.silences, Date.now()))
    console.log(`SILENCED ${describeSilence(silence)} (${silence.id}; homeostat safety)`);
  // Every incident of the namespace, not only this task queue's: the CLI has always shown them all.
  const incidents = await operator.list({ scope: 'namespace', ...(all ? {} : { status: 'open' }) });
  for (const wf of incidents) {
    const get = (k: string): string => String(wf.searchAttributes[k] ?? '-');
    // A victim of another incident's root cause says which one (HomeostatRootIncident).
    const root = wf.searchAttributes.HomeostatRootIncident;
    console.log(
      [
        wf.id,
        get('HomeostatPhase'),
        get('HomeostatFailureClass'),
        get('HomeostatOutcome'),
        wf.startTime,
        ...(root && String(root) !== wf.id ? [`linked to ${String(root)}`] : []),
      ].join('  '),
    );
  }
  if (incidents.length === 0)
    console.log(all ? 'no incidents' : 'no open incidents (--all shows closed ones)');
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

import type { Client } from '@temporalio/client';
import { createOperator } from '../../client/operator';
import { INCIDENT_WORKFLOW_TYPE } from '../../core/model/incident';
import type { IncidentReport, IncidentState } from '../../core/model/incidentState';
import { stateQuery } from '../../workflows/api';
import type { Scenario } from './corpus';
import type { EvalFleet } from './fleetControl';
import type { IncidentSeen, ScenarioObservation } from './score';

export interface EvalContext {
  client: Client;
  /** The task queue of the worker (and detector) under evaluation. */
  taskQueue: string;
  fleet: EvalFleet;
  /** Who approves plans that wait for a human (an approver in the stack's configuration). */
  approver: string;
  /** Calm time after the reset, so the detector's baselines see a healthy fleet before the onset. */
  settleSeconds: number;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The incident a victim was linked to (cross-service correlation); undefined for a root or a loner. */
function linkOf(state: IncidentState | undefined): string | undefined {
  const c = state?.correlation;
  return c?.role === 'victim' ? c.rootIncident : undefined;
}

/**
 * One scenario through the whole stack: reset the fleet, let it settle, inject the faults, then watch
 * the incidents the stack opens — approving as a bot operator when a plan waits for a human — until every
 * truth is healed (or, for a benign scenario, until its time is up), and clean up.
 */
export async function runScenario(ctx: EvalContext, scenario: Scenario): Promise<ScenarioObservation> {
  const { client, fleet, log } = ctx;
  const operator = createOperator(client, ctx.taskQueue);
  await closeOpenIncidents(ctx, 'eval: before the next scenario');
  await fleet.reset();
  await fleet.waitCalm();
  await sleep(ctx.settleSeconds * 1000);

  const onset = Date.now();
  log(`  ${scenario.name}: ${scenario.description}`);
  const injections = [
    ...scenario.faults.map((f) => ({
      at: f.afterSeconds ?? 0,
      run: () => fleet.inject(f.service, f.scenario),
    })),
    ...(scenario.deploys ?? []).map((d) => ({
      at: d.afterSeconds ?? 0,
      run: () => fleet.deploy(d.service, d.behaviour),
    })),
  ].sort((a, b) => a.at - b.at);
  const injected = (async () => {
    for (const step of injections) {
      const wait = onset + step.at * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      await step.run();
    }
  })();

  const seen = new Map<string, IncidentSeen>();
  const approved = new Set<string>();
  const deadline = onset + scenario.observeSeconds * 1000;
  const benign = scenario.truth.length === 0;
  /** One look at the scenario's incidents: their diagnosis, phase and outcome; approves what waits. */
  const observe = async (): Promise<void> => {
    const query =
      `WorkflowType="${INCIDENT_WORKFLOW_TYPE}" AND TaskQueue="${ctx.taskQueue}"` +
      ` AND StartTime >= "${new Date(onset - 1000).toISOString()}"`;
    for await (const info of client.workflow.list({ query })) {
      const handle = client.workflow.getHandle(info.workflowId, info.runId);
      const state = await handle.query(stateQuery).catch(() => undefined);
      let closedAt: number | undefined;
      let outcome: string | undefined = state?.outcome;
      let actions = (state?.steps ?? []).filter((s) => s.outcome?.applied).length;
      if (info.status.name !== 'RUNNING') {
        const report = (await handle.result().catch(() => undefined)) as IncidentReport | undefined;
        closedAt = report ? Date.parse(report.closedAt) : info.closeTime?.getTime();
        outcome = report?.outcome ?? outcome ?? info.status.name.toLowerCase();
        if (report) actions = report.steps.filter((s) => s.outcome?.applied).length;
      } else if (state?.phase === 'awaiting-approval') {
        const key = `${info.workflowId}#${state.plansMade}`;
        if (!approved.has(key)) {
          approved.add(key);
          const decision = await operator.approve(info.workflowId, {
            by: ctx.approver,
            reason: 'eval: the bot operator approves every plan to measure the automation',
          });
          log(`    approved ${info.workflowId}: ${decision.ok ? 'accepted' : decision.message}`);
        }
      }
      const linkedTo = linkOf(state);
      const recoveredAt = recoveryOf(state);
      const incident: IncidentSeen = {
        workflowId: `${info.workflowId}@${info.runId}`,
        service: state?.input.service ?? info.workflowId.replace(/^incident:/, ''),
        ...(state?.diagnosis ? { rootService: state.diagnosis.rootService } : {}),
        ...(state?.diagnosis ? { failureClass: state.diagnosis.failureClass } : {}),
        ...(linkedTo ? { linkedTo } : {}),
        openedAt: info.startTime.getTime(),
        ...(recoveredAt !== undefined ? { recoveredAt } : {}),
        ...(closedAt !== undefined ? { closedAt } : {}),
        ...(outcome ? { outcome } : {}),
        actions,
      };
      seen.set(incident.workflowId, incident);
    }
  };
  try {
    await injected;
    while (Date.now() < deadline) {
      await observe();
      if (!benign && settled(scenario, [...seen.values()])) break;
      await sleep(1000);
    }
  } finally {
    await injected.catch(() => undefined);
    for (const f of scenario.faults) await fleet.clear(f.service, f.scenario);
  }
  // The fault is over: an incident that recovered and waits to scale back in gets to do so by itself.
  const settleBy = Date.now() + 90_000;
  while (
    [...seen.values()].some((i) => i.recoveredAt !== undefined && i.closedAt === undefined) &&
    Date.now() < settleBy
  ) {
    await sleep(2000);
    await observe();
  }
  const fleetActions = (await fleet.actionsSince(onset)).length;
  await closeOpenIncidents(ctx, 'eval: scenario over');
  const incidents = [...seen.values()];
  for (const i of incidents)
    log(
      `    incident on ${i.service}: ${i.failureClass ?? 'undiagnosed'} at ${i.rootService ?? '?'}` +
        `${i.linkedTo ? ` (linked to ${i.linkedTo})` : ''}, ${i.outcome ?? 'open'}, ${i.actions} actions, ` +
        `opened +${((i.openedAt - onset) / 1000).toFixed(1)} s` +
        (i.recoveredAt ? `, recovered +${((i.recoveredAt - onset) / 1000).toFixed(1)} s` : '') +
        (i.closedAt ? `, closed +${((i.closedAt - onset) / 1000).toFixed(1)} s` : ''),
    );
  if (incidents.length === 0) log('    no incident');
  return {
    scenario: scenario.name,
    truth: scenario.truth,
    onset,
    incidents,
    fleetActions,
    approvals: approved.size,
  };
}

/**
 * When the incident's recovery check passed: the last check, once it is recovered or settling (waiting
 * to scale back in after a recovery). Time to recover ends there, not when the incident closes.
 */
function recoveryOf(state: IncidentState | undefined): number | undefined {
  if (!state || !(state.outcome === 'recovered' || state.phase === 'settling')) return undefined;
  const check = state.timeline.filter((e) => e.event.startsWith('recovery check:')).at(-1);
  return check ? Date.parse(check.at) : undefined;
}

/** Every truth has an incident that ended (or recovered and only waits to scale back in). */
function settled(scenario: Scenario, incidents: IncidentSeen[]): boolean {
  if (incidents.some((i) => i.closedAt === undefined && i.recoveredAt === undefined)) return false;
  return scenario.truth.every((t) =>
    incidents.some((i) => !i.linkedTo && (i.rootService ?? i.service) === t.service),
  );
}

/**
 * Ends incidents a scenario left open, so the next one starts from a quiet stack: a cancellation first
 * (the incident undoes what it did and returns its permits to the governor), termination if it hangs.
 */
async function closeOpenIncidents(ctx: EvalContext, reason: string): Promise<void> {
  const query = `WorkflowType="${INCIDENT_WORKFLOW_TYPE}" AND TaskQueue="${ctx.taskQueue}" AND ExecutionStatus="Running"`;
  for await (const info of ctx.client.workflow.list({ query })) {
    const handle = ctx.client.workflow.getHandle(info.workflowId);
    await handle.cancel().catch(() => undefined);
    const ended = await Promise.race([
      handle.result().then(
        () => true,
        () => true,
      ),
      sleep(60_000).then(() => false),
    ]);
    if (!ended) await handle.terminate(reason).catch(() => undefined);
  }
}

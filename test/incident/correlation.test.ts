import type { WorkflowHandle } from '@temporalio/client';
import { formatState } from '../../cli/format';
import { governorWorkflowId } from '../../core/model/governor';
import type { IncidentReport, IncidentState } from '../../core/model/incidentState';
import { intake } from '../../triggers/intake';
import { approveUpdate } from '../../workflows/api';
import { governorQuery } from '../../workflows/governorApi';
import { SA_ROOT_INCIDENT } from '../../workflows/searchAttributes';
import { waitForMetric } from '../fleet/fleetHarness';
import { withWorker } from '../harness/env';
import {
  actionPrefix,
  checkoutErring,
  firingAlert,
  incidentDeps,
  injectFault,
  ledger,
  openIncident,
  state,
  useFleet,
  waitForState,
} from './harness';

/**
 * Cross-service correlation on the real fleet: a payments outage makes web, checkout and payments alert.
 * One incident owns the root cause (payments) and acts on it; the others link to it, take no action,
 * and end once it has, each with its own service checked.
 */
describe('incident: one incident per root cause', () => {
  const fleet = useFleet();

  it('a payments outage alerted on web, checkout and payments: one incident reroutes, the other two are linked and act on nothing', async () => {
    await injectFault(fleet(), 'payments', 'dependency-outage');
    await checkoutErring(fleet());
    await waitForMetric(fleet().providers, 'web', 'error_ratio', (v) => v > 0.2);

    const result = await withWorker(
      async ({ client, taskQueue }) => {
        // The callers' alerts arrive together: both diagnose the root payments at about the same moment,
        // and the governor grants it to exactly one of them.
        const opened = await intake([firingAlert('web'), firingAlert('checkout')], { client, taskQueue });
        const callers = opened.map((r) => client.workflow.getHandle(r.workflowId));
        const roles = await Promise.all(
          callers.map((h) => waitForState(h, 'claimed its root', (s) => s.correlation !== undefined)),
        );
        expect(roles.map((s) => s.correlation!.rootService)).toEqual(['payments', 'payments']);
        expect(roles.filter((s) => s.correlation!.role === 'root')).toHaveLength(1);
        const rootIdx = roles.findIndex((s) => s.correlation!.role === 'root');
        const root = callers[rootIdx]!;
        const caller = callers[1 - rootIdx]!;

        // Payments' own alert a moment later: its diagnosis reaches the same root, owned already.
        const own = await openIncident(client, taskQueue, firingAlert('payments'));
        await waitForState(own, 'linked', (s) => s.correlation?.role === 'victim');

        const waiting = await waitForState(
          root,
          'awaiting approval of the reroute',
          (s) => s.phase === 'awaiting-approval',
        );
        expect(waiting.plan?.playbook).toBe('reroute-around-dependency');
        const victimsSeen = await waitForState(
          root,
          'both victims shown',
          (s) => s.correlation!.victims.length === 2,
        );
        const linkedCaller = await state(caller);
        const linkedOwn = await state(own);
        const governor = await client.workflow.getHandle(governorWorkflowId(taskQueue)).query(governorQuery);

        await root.executeUpdate(approveUpdate, {
          args: [{ by: 'alice', reason: 'payments primary is down' }],
        });
        const reports = await Promise.all(
          [root, caller, own].map(async (h) => (await h.result()) as IncidentReport),
        );
        return {
          handles: { root, caller, own },
          reports,
          victimsSeen,
          linkedCaller,
          linkedOwn,
          governor,
          memo: (await root.describe()).memo,
          callerAttrs: (await caller.describe()).typedSearchAttributes,
          rootAttrs: (await root.describe()).typedSearchAttributes,
        };
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );

    const { root, caller, own } = result.handles;
    const [rootReport, callerReport, ownReport] = result.reports;

    // The root incident acted once, on payments: the reroute.
    expect(rootReport).toMatchObject({ outcome: 'recovered', failureClass: 'dependency-outage' });
    expect(rootReport!.steps.map((s) => [s.stepId, s.status, s.action])).toEqual([
      [
        'reroute.reroute-to-standby',
        'done',
        { kind: 'set-weights', service: 'payments', weights: { primary: 0, standby: 100 } },
      ],
    ]);
    expect(rootReport!.correlation).toMatchObject({ role: 'root', rootService: 'payments' });
    expect(rootReport!.correlation!.victims.map((v) => v.workflowId).sort()).toEqual(
      [caller.workflowId, own.workflowId].sort(),
    );
    expect((await ledger(fleet(), actionPrefix(root))).map((e) => e.kind)).toEqual(['setWeights']);

    // The victims took no action (nothing in the fleet's ledger under their ids) and ended after the
    // root did, each with its own service checked.
    for (const [h, report] of [
      [caller, callerReport],
      [own, ownReport],
    ] as Array<[WorkflowHandle, IncidentReport]>) {
      expect(report).toMatchObject({
        outcome: 'recovered',
        steps: [],
        correlation: { role: 'victim', rootService: 'payments', rootIncident: root.workflowId },
      });
      expect(report.correlation!.rootOutcome?.outcome).toBe('recovered');
      expect(report.conclusion).toMatch(/no action taken here/);
      expect(report.timeline.map((t) => t.phase)).toContain('linked');
      expect(await ledger(fleet(), actionPrefix(h))).toEqual([]);
    }

    // Visible both ways: `homeostat status` of the root lists its victims, a victim names its root.
    expect(formatState(result.victimsSeen)).toMatch(new RegExp(`root cause payments of 2 linked incident`));
    expect(formatState(result.victimsSeen)).toContain(caller.workflowId);
    expect(formatState(result.linkedCaller)).toContain(`linked to ${root.workflowId}`);
    expect(formatState(result.linkedOwn)).toContain(`linked to ${root.workflowId}`);
    // …and in the Temporal UI: the memo and the HomeostatRootIncident search attribute.
    expect(result.memo?.correlation).toMatchObject({ role: 'root', rootService: 'payments' });
    expect(result.rootAttrs.get(SA_ROOT_INCIDENT)).toBe(root.workflowId);
    expect(result.callerAttrs.get(SA_ROOT_INCIDENT)).toBe(root.workflowId);
    // The governor held the root while the incident was open, and let it go when it closed.
    expect(result.governor.roots?.payments?.workflowId).toBe(root.workflowId);
    const payments = await fleet().providers.remediation.describe('payments');
    expect(payments.weights).toMatchObject({ primary: 0, standby: 100 });
  });

  it('a victim whose root incident escalates checks its own service and escalates when it still fails', async () => {
    await injectFault(fleet(), 'payments', 'dependency-outage');
    await checkoutErring(fleet());
    await waitForMetric(fleet().providers, 'web', 'error_ratio', (v) => v > 0.2);
    const reports = await withWorker(
      async ({ client, taskQueue }) => {
        const root = await openIncident(client, taskQueue, firingAlert('web'));
        await waitForState(root, 'owns payments', (s: IncidentState) => s.correlation?.role === 'root');
        const victim = await openIncident(client, taskQueue, firingAlert('checkout'));
        await waitForState(victim, 'linked', (s) => s.phase === 'linked');
        // Nobody approves the reroute (3 s approval timeout): the root escalates, checkout still fails.
        return (await Promise.all([root.result(), victim.result()])) as IncidentReport[];
      },
      {
        deps: incidentDeps(fleet(), {
          approvers: ['alice'],
          incidents: { ...incidentDeps(fleet()).incidents!, approvalTimeoutSeconds: 3 },
        }),
      },
    );
    const [rootReport, victimReport] = reports;
    expect(rootReport).toMatchObject({ outcome: 'escalated', steps: [] });
    expect(victimReport).toMatchObject({
      outcome: 'escalated',
      steps: [],
      correlation: { role: 'victim', rootOutcome: { outcome: 'escalated' } },
    });
    expect(victimReport!.conclusion).toMatch(/checkout has not recovered/);
  });
});

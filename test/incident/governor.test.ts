import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { INCIDENT_WORKFLOW_TYPE } from '../../core/model/incident';
import { SA_PLAYBOOK, SA_RESULT, SA_SERVICE } from '../../workflows/searchAttributes';
import { updateGovernor } from '../../client/governor';
import { governorWorkflowId, type GovernorState } from '../../core/model/governor';
import type { IncidentReport } from '../../core/model/incidentState';
import {
  DEFAULT_SAFETY_LIMITS,
  type PermitDecision,
  type PermitRelease,
  type PermitRequest,
  type SafetyLimits,
} from '../../core/model/permits';
import { approveUpdate } from '../../workflows/api';
import { governorQuery, releasePermitsUpdate, requestPermitUpdate } from '../../workflows/governorApi';
import { testServerAddress, withWorker } from '../harness/env';
import { maybeRecordHistory } from '../harness/histories';
import { waitFor } from '../fleet/fleetHarness';
import {
  actionPrefix,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from './harness';

/**
 * The governor's permits on the real server and fleet: the blast radius holds a step until another
 * service's remediation ends, an open circuit breaker asks a human first, a rate limit hands over to a
 * human and leaves the verified canary in place.
 */
describe('incident: governor permits', () => {
  const fleet = useFleet();

  const governor = (client: Client, taskQueue: string) => {
    // The governor's API, called as another incident's activities would call it.
    return {
      state: async (): Promise<GovernorState> =>
        await client.workflow.getHandle(governorWorkflowId(taskQueue)).query(governorQuery),
      request: async (req: PermitRequest): Promise<PermitDecision> =>
        await updateGovernor(client, taskQueue, requestPermitUpdate, req),
      release: async (rel: PermitRelease): Promise<void> =>
        await updateGovernor(client, taskQueue, releasePermitsUpdate, rel),
    };
  };

  const badCheckout = async (): Promise<void> => {
    // The fleet reset before each test waited for calm, so the errors the check below waits for are new.
    await injectBadRelease(fleet());
  };
  const depsWith = (safety: Partial<SafetyLimits>) =>
    incidentDeps(fleet(), { approvers: ['alice'], safety: { ...DEFAULT_SAFETY_LIMITS, ...safety } });

  it('holds a step while another service is being remediated, and acts once that ends', async () => {
    const limits = { ...DEFAULT_SAFETY_LIMITS, maxConcurrentServices: 1 };
    await badCheckout();
    const report = await withWorker(
      async ({ client, taskQueue }) => {
        const gov = governor(client, taskQueue);
        // Another incident holds a permit on web: the only slot of the blast radius is taken.
        await gov.request({
          permitId: 'other/p1/canary',
          incidentId: 'other',
          service: 'web',
          stepId: 'canary',
          limits,
        });
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const held = await waitForState(handle, 'held by the governor', (s) => s.phase === 'held');
        expect(held.timeline.at(-1)?.event).toMatch(
          /blast radius: 1 service\(s\) already under remediation \(web\)/,
        );
        expect(await ledger(fleet(), actionPrefix(handle))).toHaveLength(0);

        await gov.release({
          incidentId: 'other',
          services: ['web'],
          result: 'neutral',
          conclusion: 'done elsewhere',
          limits,
        });
        const report = (await handle.result()) as IncidentReport;
        const after = await gov.state();
        // Both steps were counted for checkout, and the incident gave its lease back when it ended.
        expect(after.permits?.actions.filter((a) => a.service === 'checkout')).toHaveLength(2);
        expect(after.permits?.leases).toEqual({});
        return report;
      },
      { deps: depsWith({ maxConcurrentServices: 1 }) },
    );
    expect(report.outcome).toBe('recovered');
    const events = report.timeline.map((t) => t.event).join('\n');
    expect(events).toMatch(/permit granted: action 1 of 6 on checkout/);
  });

  it('asks a human when the breaker of the service is open; the approved recovery closes it', async () => {
    const limits = { ...DEFAULT_SAFETY_LIMITS };
    await badCheckout();
    const report = await withWorker(
      async ({ client, taskQueue }) => {
        const gov = governor(client, taskQueue);
        // Two earlier remediations of checkout failed (as their incidents report it).
        for (const incidentId of ['earlier-1', 'earlier-2']) {
          await gov.release({
            incidentId,
            services: ['checkout'],
            result: 'failed',
            conclusion: 'canary.rollback-canary did not verify',
            limits,
          });
        }
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const waiting = await waitForState(handle, 'asking a human', (s) => s.phase === 'awaiting-approval');
        expect(waiting.timeline.at(-1)?.event).toMatch(/circuit breaker of checkout is open: 2 remediation/);
        expect(await ledger(fleet(), actionPrefix(handle))).toHaveLength(0);

        await handle.executeUpdate(approveUpdate, {
          args: [{ by: 'alice', reason: 'the last two failed on a bad host, fixed' }],
        });
        const report = (await handle.result()) as IncidentReport;
        await maybeRecordHistory(client, handle.workflowId, 'breaker-approved');
        await maybeRecordHistory(client, governorWorkflowId(taskQueue), 'governor-permits');
        const after = await gov.state();
        expect(after.permits?.breakers).toEqual({});
        expect(after.permits?.actions.map((a) => a.approvedBy)).toEqual(['alice', 'alice']);
        return report;
      },
      { deps: depsWith({}) },
    );
    expect(report.outcome).toBe('recovered');
    expect(report.approvals).toMatchObject([{ kind: 'approve', by: 'alice' }]);
  });

  it('hands over to a human at the rate limit, leaving the verified canary in place', async () => {
    await badCheckout();
    const bad = (await fleet().providers.remediation.describe('checkout')).targets[0]!.release;
    const { report, state } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const report = (await handle.result()) as IncidentReport;
        return { report, state: await governor(client, taskQueue).state() };
      },
      { deps: depsWith({ maxActionsPerServicePerHour: 1 }) },
    );
    expect(report.outcome).toBe('escalated');
    expect(report.conclusion).toMatch(
      /rate limit: 1 actions on checkout in the last hour.*1 verified step\(s\) left in place/,
    );
    expect(report.steps.map((s) => [s.stepId, s.status])).toEqual([['canary.rollback-canary', 'done']]);
    const targets = (await fleet().providers.remediation.describe('checkout')).targets;
    expect(targets.filter((t) => t.release !== bad)).toHaveLength(1);
    // Stopped by our own limit: not a failed remediation, so the breaker stays closed.
    expect(state.permits?.breakers).toEqual({});
  });
  it('asks a human for a playbook that mostly failed on the service lately, and records its result', async () => {
    const taskQueue = `test-${randomUUID()}`;
    // Three closed incidents of this deployment in which rollback-bad-release failed on checkout,
    // written to Temporal's visibility the way closed incidents are (started, then closed).
    const connection = await Connection.connect({ address: testServerAddress() });
    try {
      const client = new Client({ connection });
      for (let i = 0; i < 3; i++) {
        const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
          workflowId: `past-incident-${randomUUID()}`,
          taskQueue,
          args: [],
          typedSearchAttributes: [
            { key: SA_SERVICE, value: 'checkout' },
            { key: SA_PLAYBOOK, value: 'rollback-bad-release' },
            { key: SA_RESULT, value: 'failed' },
          ],
        });
        await handle.terminate('a past incident, closed');
      }
      await waitFor(
        'the past incidents in visibility',
        async () =>
          (await client.workflow.count(`TaskQueue="${taskQueue}" AND HomeostatResult="failed"`)).count ===
            3 || undefined,
        30_000,
      );
    } finally {
      await connection.close();
    }

    await badCheckout();
    const { report, result } = await withWorker(
      async ({ client }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const waiting = await waitForState(handle, 'asking a human', (s) => s.phase === 'awaiting-approval');
        expect(waiting.plan?.approvalReason).toMatch(
          /learned: rollback-bad-release recovered checkout in only 0 of its last 3 runs/,
        );
        expect(waiting.plan?.trackRecord).toMatchObject({ recovered: 0, failed: 3 });
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice', reason: 'watching it' }] });
        const report = (await handle.result()) as IncidentReport;
        const attrs = (await handle.describe()).typedSearchAttributes;
        return { report, result: attrs.get(SA_RESULT) };
      },
      { taskQueue, deps: depsWith({}) },
    );
    expect(report.outcome).toBe('recovered');
    // The next plan on this queue counts this run as a recovery.
    expect(result).toBe('recovered');
  });
});

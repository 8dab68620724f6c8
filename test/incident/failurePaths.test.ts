import type { IncidentReport } from '../../core/model/incidentState';
import { updateGovernor } from '../../client/governor';
import { DEFAULT_SAFETY_LIMITS, type SafetyLimits } from '../../core/model/permits';
import { approveUpdate } from '../../workflows/api';
import { requestPermitUpdate } from '../../workflows/governorApi';
import { withWorker } from '../harness/env';
import { waitForMetric } from '../fleet/fleetHarness';
import {
  badCheckout,
  checkoutReleases,
  corruptCheckoutCaches,
  governorState,
  timelineText,
} from './failureHarness';
import {
  actionPrefix,
  deployByHand,
  expectRollbackUndone,
  firingAlert,
  incidentDeps,
  injectFault,
  INCIDENT_WINDOWS,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from './harness';

/**
 * The ways a remediation fails, end to end on the real dev server and the local fleet: what is undone,
 * in which order, what is left in place, what the incident says. (An action out of retries and the
 * breaker opened by failed incidents have files of their own: see failureHarness.ts for why.)
 */
describe('incident: failure paths', () => {
  const fleet = useFleet();

  it('a step that does not verify is undone with the steps before it, in reverse, and the incident escalates', async () => {
    const bad = await badCheckout(fleet());
    const { report, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        // The rollback of the rest is applied and bakes: the caches go bad now, so its check fails.
        await waitForState(handle, 'the fleet stage baking', (s) =>
          s.steps.some((st) => st.stage === 'fleet' && st.status === 'verifying'),
        );
        await corruptCheckoutCaches(fleet());
        return { report: (await handle.result()) as IncidentReport, prefix: actionPrefix(handle) };
      },
      { deps: incidentDeps(fleet()) },
    );

    expect(report.outcome).toBe('escalated');
    expect(report.conclusion).toMatch(/^fleet\.rollback-rest did not verify \(.+\); its plan was undone$/);
    expect(report.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['canary.rollback-canary', 'compensated'],
      ['fleet.rollback-rest', 'compensated'],
    ]);
    expect(timelineText(report)).toMatch(
      /undoing 2 step\(s\) in reverse: fleet\.rollback-rest did not verify/,
    );
    // Forward once each, then the undos newest first, and every target back on the release it had.
    await expectRollbackUndone(fleet(), prefix, bad);
  });

  it('a service that keeps changing under the incident is re-planned up to the limit, then handed to a human', async () => {
    // The fleet reset before this test may have redeployed checkout: nothing of the errors its rollout
    // saw may stay in the incident's recent window, or that deploy takes the blame (a bad release).
    await waitForMetric(fleet().providers, 'checkout', 'error_ratio', (v) => v < 0.02, {
      seconds: INCIDENT_WINDOWS.recentWindowSeconds,
    });
    await waitForMetric(fleet().providers, 'checkout', 'dead_letters', (v) => v === 0, { seconds: 1 });
    await injectFault(fleet(), 'checkout', 'failed-jobs');
    await waitForMetric(fleet().providers, 'checkout', 'dead_letters', (v) => v > 0, { seconds: 1 });
    const { report, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout', 'DeadLetters'));
        // Replaying dead letters needs an approval. Each time the plan waits for it, someone deploys a
        // hotfix: the approved plan would act on a service it no longer describes, so it is made again.
        for (let plan = 1; ; plan++) {
          const s = await waitForState(
            handle,
            `plan ${plan} waiting for approval, or the end`,
            (st) => (st.phase === 'awaiting-approval' && st.plansMade === plan) || st.outcome !== undefined,
          );
          if (s.outcome !== undefined) break;
          expect(s.diagnosis?.failureClass).toBe('failed-jobs');
          await deployByHand(fleet(), 'checkout', `v1-hotfix-${plan}`, 'bob');
          await handle.executeUpdate(approveUpdate, {
            args: [{ by: 'alice', reason: `plan ${plan} looks right` }],
          });
        }
        return { report: (await handle.result()) as IncidentReport, prefix: actionPrefix(handle) };
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );

    expect(report.outcome).toBe('escalated');
    expect(report.conclusion).toMatch(/^the service kept changing under the incident; 3 plans made/);
    expect(report.failureClass).toBe('failed-jobs');
    expect(report.steps).toEqual([]);
    expect(report.approvals.map((a) => a.by)).toEqual(['alice', 'alice', 'alice']);
    expect(timelineText(report).match(/changed under the incident/g)).toHaveLength(3);
    expect(await ledger(fleet(), prefix)).toEqual([]);
  });

  it('a recovery check that fails after every stage verified escalates and keeps the verified steps', async () => {
    await badCheckout(fleet());
    const { report, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        await waitForState(handle, 'the final recovery check', (s) => s.phase === 'verifying');
        await corruptCheckoutCaches(fleet());
        return { report: (await handle.result()) as IncidentReport, prefix: actionPrefix(handle) };
      },
      { deps: incidentDeps(fleet()) },
    );

    expect(report.outcome).toBe('escalated');
    expect(report.conclusion).toMatch(/^every step verified but checkout has not recovered: /);
    expect(report.steps.map((s) => s.status)).toEqual(['done', 'done']);
    // Each step helped (it verified), so nothing is undone: undoing would bring the bad release back.
    expect((await ledger(fleet(), prefix)).map((e) => e.id)).toEqual(report.steps.map((s) => s.actionId));
    expect(new Set(await checkoutReleases(fleet()))).toEqual(new Set(['v1']));
  });

  it('a step held by the governor past the maximum hold time hands over to a human without acting', async () => {
    // The default maximum hold (30 minutes) is a configuration default (config.test.ts reads it); here
    // it is cut so that the blast radius holds the step once (15 s) and a second wait would pass it.
    const limits: SafetyLimits = { ...DEFAULT_SAFETY_LIMITS, maxConcurrentServices: 1, maxHoldSeconds: 20 };
    const bad = await badCheckout(fleet());
    const { report, governor, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        // Another incident remediates web: the only slot of the blast radius is taken.
        await updateGovernor(client, taskQueue, requestPermitUpdate, {
          permitId: 'other/p1/canary',
          incidentId: 'other',
          service: 'web',
          stepId: 'canary',
          limits,
        });
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        await waitForState(handle, 'held by the governor', (s) => s.phase === 'held');
        const report = (await handle.result()) as IncidentReport;
        return { report, governor: await governorState(client, taskQueue), prefix: actionPrefix(handle) };
      },
      { deps: incidentDeps(fleet(), { safety: limits }) },
    );

    expect(report.outcome).toBe('escalated');
    expect(report.conclusion).toMatch(/^held by the governor \(blast radius: .*\(web\).*\) beyond 20s$/);
    expect(report.steps).toEqual([]);
    expect(await ledger(fleet(), prefix)).toEqual([]);
    expect(new Set(await checkoutReleases(fleet()))).toEqual(new Set([bad]));
    // Stopped by its own limits: it keeps no lease, and the breaker does not count it as a failure.
    expect(Object.keys(governor.permits?.leases ?? {})).toEqual(['other']);
    expect(governor.permits?.breakers).toEqual({});
  });
});

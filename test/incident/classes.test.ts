import type { IncidentReport, IncidentState } from '../../core/model/incidentState';
import { approveUpdate } from '../../workflows/api';
import { waitForMetric } from '../fleet/fleetHarness';
import { withWorker } from '../harness/env';
import {
  actionPrefix,
  clearFault,
  firingAlert,
  INCIDENT_WINDOWS,
  incidentDeps,
  injectFault,
  ledger,
  openIncident,
  state,
  useFleet,
  waitForState,
  type LedgerEntry,
} from './harness';

/**
 * The failure classes only their own signal tells apart, end to end on the real fleet: the fault is
 * injected, an alert opens the incident, diagnosis names the class from the evidence (saturation under
 * a traffic rise, cache errors, timeouts while every replica is healthy), its playbook acts once in the
 * fleet's ledger, and the recovery is verified. The surge comes first: checkout's baseline (the last two
 * minutes) then holds no earlier incident's saturation.
 */
describe('incident: resource exhaustion, corrupted cache, network timeout', () => {
  const fleet = useFleet();
  const recent = { seconds: INCIDENT_WINDOWS.recentWindowSeconds };

  /** The incident to its end, and its final state (which holds the diagnosis with its evidence). */
  interface Ended {
    report: IncidentReport;
    final: IncidentState;
    actions: LedgerEntry[];
  }

  it('a traffic surge that saturates checkout is diagnosed as resource exhaustion and scaled out (scale-out-saturated)', async () => {
    await injectFault(fleet(), 'checkout', 'traffic-surge');
    // Saturated over the whole recent window the incident will judge, and failing requests (503s).
    await waitForMetric(fleet().providers, 'checkout', 'saturation', (v) => v > 0.9, {
      ...recent,
      timeoutMs: 60_000,
    });
    await waitForMetric(fleet().providers, 'checkout', 'error_ratio', (v) => v > 0.05);

    const { report, final, actions } = await withWorker<Ended>(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout', 'HighLatency'));
        // Recovered on six replicas; the surge still runs, so the incident waits to scale back in.
        const settling = await waitForState(
          handle,
          'recovered, waiting for traffic to settle',
          (s) => s.phase === 'settling',
          120_000,
        );
        expect(settling.timeline.map((e) => e.event).join('\n')).toMatch(/recovery check: /);
        // Six replicas carry the surge: slots no longer saturated, no more 503s.
        expect((await fleet().providers.remediation.describe('checkout')).desiredCount).toBe(6);
        await waitForMetric(fleet().providers, 'checkout', 'saturation', (v) => v < 0.8);
        await waitForMetric(fleet().providers, 'checkout', 'error_ratio', (v) => v < 0.02);
        // The surge ends: once traffic stays near its usual rate, checkout returns to its original size.
        await clearFault(fleet(), 'checkout', 'traffic-surge');
        const report = (await handle.result()) as IncidentReport;
        return { report, final: await state(handle), actions: await ledger(fleet(), actionPrefix(handle)) };
      },
      { deps: incidentDeps(fleet()) },
    );
    expect(report).toMatchObject({
      outcome: 'recovered',
      failureClass: 'resource-exhaustion',
      playbook: 'scale-out-saturated',
    });
    expect(report.steps.map((s) => [s.stepId, s.status, s.action])).toEqual([
      ['scale.scale-out', 'done', { kind: 'scale', service: 'checkout', desiredCount: 6 }],
    ]);
    // The scale-out, then its undo once the surge was over: each once.
    expect(actions.map((a) => [a.kind, a.status])).toEqual([
      ['scale', 'succeeded'],
      ['scale', 'succeeded'],
    ]);
    expect(report.steps[0]!.restored).toBeDefined();
    expect((await fleet().providers.remediation.describe('checkout')).desiredCount).toBe(3);
    expect(final.diagnosis).toMatchObject({
      rootService: 'checkout',
      confidence: expect.stringMatching(/high|medium/),
    });
    const evidence = final.diagnosis!.evidence!.join('\n');
    expect(evidence).toMatch(
      /request_rate of checkout: .* req\/s over the last \d+ s, against .* req\/s usually/,
    );
    expect(evidence).toMatch(/saturation of checkout: /);
  });

  it('corrupt cache entries are diagnosed as a corrupted cache and cleared (clear-corrupted-cache)', async () => {
    await injectFault(fleet(), 'checkout', 'corrupted-cache');
    await waitForMetric(fleet().providers, 'checkout', 'cache_error_ratio', (v) => v > 0.5);

    const { report, final, actions } = await withWorker<Ended>(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const report = (await handle.result()) as IncidentReport;
        return { report, final: await state(handle), actions: await ledger(fleet(), actionPrefix(handle)) };
      },
      { deps: incidentDeps(fleet()) },
    );
    expect(report).toMatchObject({
      outcome: 'recovered',
      failureClass: 'corrupted-cache',
      playbook: 'clear-corrupted-cache',
    });
    expect(report.steps.map((s) => [s.stepId, s.status, s.action.kind])).toEqual([
      ['clear.clear-cache', 'done', 'clear-cache'],
    ]);
    expect(actions.map((a) => [a.kind, a.status])).toEqual([['clearCache', 'succeeded']]);
    expect(final.diagnosis!.evidence!.join('\n')).toMatch(
      /cache reads explain \d+ % of the failed requests of checkout/,
    );
    await waitForMetric(fleet().providers, 'checkout', 'cache_error_ratio', (v) => v < 0.02);
    await waitForMetric(fleet().providers, 'web', 'error_ratio', (v) => v < 0.02);
  });

  it('calls to payments that end at a timeout while its replicas are healthy are rerouted to the standby pool once approved (reroute-around-network-fault)', async () => {
    await injectFault(fleet(), 'payments', 'network-timeout');
    await waitForMetric(fleet().providers, 'payments', 'timeout_ratio', (v) => v > 0.9);
    await waitForMetric(fleet().providers, 'checkout', 'error_ratio', (v) => v > 0.2);

    const { report, final, actions } = await withWorker<Ended & { before: LedgerEntry[] }>(
      async ({ client, taskQueue }) => {
        // The alert is the caller's: diagnosis walks down to payments.
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const waiting = await waitForState(
          handle,
          'awaiting approval',
          (s) => s.phase === 'awaiting-approval',
        );
        expect(waiting.plan?.playbook).toBe('reroute-around-network-fault');
        const before = await ledger(fleet(), actionPrefix(handle));
        await handle.executeUpdate(approveUpdate, {
          args: [{ by: 'alice', reason: 'the standby path is clear' }],
        });
        const report = (await handle.result()) as IncidentReport;
        expect(before).toEqual([]); // nothing moved before the human said so
        return {
          report,
          before,
          final: await state(handle),
          actions: await ledger(fleet(), actionPrefix(handle)),
        };
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );
    expect(report).toMatchObject({
      outcome: 'recovered',
      failureClass: 'network-timeout',
      playbook: 'reroute-around-network-fault',
    });
    expect(report.steps.map((s) => [s.stepId, s.status, s.action])).toEqual([
      [
        'reroute.reroute-to-standby',
        'done',
        { kind: 'set-weights', service: 'payments', weights: { primary: 0, standby: 100 } },
      ],
    ]);
    expect(actions.map((a) => [a.kind, a.status])).toEqual([['setWeights', 'succeeded']]);
    expect(final.diagnosis).toMatchObject({ rootService: 'payments' });
    expect(final.diagnosis!.evidence!.join('\n')).toMatch(/targets of payments pass health checks/);
    expect((await fleet().providers.remediation.describe('payments')).weights).toEqual({
      primary: 0,
      standby: 100,
    });
    await waitForMetric(fleet().providers, 'payments', 'timeout_ratio', (v) => v < 0.02);
    await waitForMetric(fleet().providers, 'checkout', 'error_ratio', (v) => v < 0.02);
  });
});

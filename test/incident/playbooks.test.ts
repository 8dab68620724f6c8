import type { IncidentReport } from '../../core/model/incidentState';
import { approveUpdate } from '../../workflows/api';
import { recentMean, waitFor, waitForMetric } from '../fleet/fleetHarness';
import { withWorker } from '../harness/env';
import {
  fastCatalog,
  firingAlert,
  incidentDeps,
  injectFault,
  openIncident,
  state,
  useFleet,
  waitForState,
} from './harness';

/**
 * The playbooks other than the bad-release rollback and the reroute (badRelease, humans), end to end on
 * the real fleet: the fault is injected, diagnosed into its class, and healed by its playbook.
 */
describe('incident: the other playbooks', () => {
  const fleet = useFleet();

  /** The newest resident memory of one target, from the fleet's per-target series. */
  const targetMemory = async (target: string): Promise<number | undefined> => {
    const to = new Date();
    const series = await fleet().providers.signals.series({
      service: 'checkout',
      metrics: ['memory_rss_mb'],
      from: new Date(to.getTime() - 5_000),
      to,
      stepSeconds: 1,
      byTarget: true,
    });
    return series.find((s) => s.labels.target === target)?.points.at(-1)?.[1];
  };

  it('a hung target is diagnosed as a deadlock and restarted (restart-stuck-targets)', async () => {
    await injectFault(fleet(), 'checkout', 'hang');
    await waitForMetric(fleet().providers, 'checkout', 'healthy_targets', (v) => v === 2, { seconds: 1 });
    const report = await withWorker(
      async ({ client, taskQueue }) =>
        (await (await openIncident(client, taskQueue, firingAlert('checkout'))).result()) as IncidentReport,
      { deps: incidentDeps(fleet()) },
    );
    expect(report).toMatchObject({
      outcome: 'recovered',
      failureClass: 'deadlock',
      playbook: 'restart-stuck-targets',
    });
    expect(report.steps.map((s) => [s.stepId, s.status, s.action.kind])).toEqual([
      ['canary.restart-canary', 'done', 'restart'],
    ]);
    const checkout = await fleet().providers.remediation.describe('checkout');
    expect(checkout.targets.every((t) => t.healthy)).toBe(true);
  });

  it('dead letters are diagnosed as failed jobs and replayed once a human approves (replay-failed-jobs)', async () => {
    await injectFault(fleet(), 'checkout', 'failed-jobs');
    await waitForMetric(fleet().providers, 'checkout', 'dead_letters', (v) => v >= 30, { seconds: 1 });
    const report = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout', 'DeadLetters'));
        await waitForState(handle, 'awaiting approval', (s) => s.phase === 'awaiting-approval');
        expect((await state(handle)).plan?.playbook).toBe('replay-failed-jobs');
        await handle.executeUpdate(approveUpdate, {
          args: [{ by: 'alice', reason: 'the job bug is fixed' }],
        });
        return (await handle.result()) as IncidentReport;
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );
    expect(report).toMatchObject({ outcome: 'recovered', failureClass: 'failed-jobs' });
    expect(report.steps.map((s) => [s.stepId, s.status, s.action.kind])).toEqual([
      ['replay.replay', 'done', 'replay-dead-letters'],
    ]);
    expect(await recentMean(fleet().providers, 'checkout', 'dead_letters', 1)).toBe(0);
  });

  it('a target whose memory climbs is diagnosed as a leak and restarted (restart-leaking-targets)', async () => {
    const baseline = (await targetMemory('checkout-0'))!;
    await injectFault(fleet(), 'checkout', 'memory-leak'); // into the first primary, checkout-0
    // Diagnosis wants the target well above its baseline (1.5×): wait until it is twice as large.
    await waitFor('checkout-0 memory doubled', async () =>
      ((await targetMemory('checkout-0')) ?? 0) > 2 * baseline ? true : undefined,
    );
    const report = await withWorker(
      async ({ client, taskQueue }) =>
        (await (
          await openIncident(client, taskQueue, firingAlert('checkout', 'HighMemory'))
        ).result()) as IncidentReport,
      { deps: incidentDeps(fleet()) },
    );
    expect(report).toMatchObject({
      outcome: 'recovered',
      failureClass: 'memory-leak',
      playbook: 'restart-leaking-targets',
    });
    expect(report.steps.map((s) => [s.stepId, s.status, s.action.kind])).toEqual([
      ['canary.restart-canary', 'done', 'restart'],
    ]);
  });

  it('a queue that does not drain is diagnosed as a backlog and scaled out (scale-out-backlog)', async () => {
    await injectFault(fleet(), 'checkout', 'queue-backlog');
    await waitForMetric(fleet().providers, 'checkout', 'queue_depth', (v) => v > 100, { seconds: 2 });
    // The default catalog's verification: doubled consumers need more than the fast catalog's 3 s to
    // drain the backlog below 50 (the default bake is 15 s).
    const catalog = fastCatalog();
    const playbook = catalog.playbooks.find((p) => p.name === 'scale-out-backlog')!;
    const step = playbook.stages[0]!.steps[0]!;
    step.verify = { ...step.verify, bakeSeconds: 15, windowSeconds: 5 };
    const report = await withWorker(
      async ({ client, taskQueue }) =>
        (await (
          await openIncident(client, taskQueue, firingAlert('checkout', 'QueueBacklog'))
        ).result()) as IncidentReport,
      { deps: incidentDeps(fleet(), { catalog }) },
    );
    expect(report).toMatchObject({
      outcome: 'recovered',
      failureClass: 'queue-backlog',
      playbook: 'scale-out-backlog',
    });
    expect(report.steps.map((s) => [s.stepId, s.status, s.action])).toEqual([
      ['scale.scale-out', 'done', expect.objectContaining({ kind: 'scale', desiredCount: 6 })],
    ]);
  });
});

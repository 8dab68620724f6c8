import { randomUUID } from 'node:crypto';
import type { IncidentReport } from '../../core/model/incidentState';
import { waitForMetric } from '../fleet/fleetHarness';
import { withWorker } from '../harness/env';
import {
  actionPrefix,
  fastCatalog,
  firingAlert,
  incidentDeps,
  injectFault,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from '../incident/harness';

/**
 * Scale back in after a backlog drains (the playbook's `restoreAfter`): the queue-backlog playbook scales
 * checkout out, and once queue_depth has stayed near its baseline it returns checkout to the size the
 * incident found, recorded in the timeline, once, across a worker restart during the wait.
 */
describe('incident: scale back in after recovery', () => {
  const fleet = useFleet();

  it('scales out, waits for the queue to settle across a worker restart, then scales back to the original count', async () => {
    const original = (await fleet().providers.remediation.describe('checkout')).desiredCount;
    await injectFault(fleet(), 'checkout', 'queue-backlog');
    await waitForMetric(fleet().providers, 'checkout', 'queue_depth', (v) => v > 100, { seconds: 2 });
    // Doubled consumers need more than the fast catalog's 3 s to drain the backlog (the default bake is 15 s).
    const catalog = fastCatalog();
    const step = catalog.playbooks.find((p) => p.name === 'scale-out-backlog')!.stages[0]!.steps[0]!;
    step.verify = { ...step.verify, bakeSeconds: 15, windowSeconds: 5 };
    expect(step.restoreAfter).toMatchObject({ metric: 'queue_depth' }); // the default catalog's option
    const deps = incidentDeps(fleet(), { catalog });
    const taskQueue = `test-${randomUUID()}`;

    // First worker: the incident scales out, verifies, and starts waiting for the queue to settle; then
    // the worker goes away (no grace: as if its host died) in the middle of that wait.
    const workflowId = await withWorker(
      async ({ client }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout', 'QueueBacklog'));
        await waitForState(handle, 'settling after the scale-out', (s) => s.phase === 'settling', 180_000);
        const scaled = await fleet().providers.remediation.describe('checkout');
        expect(scaled.desiredCount).toBeGreaterThan(original);
        return handle.workflowId;
      },
      { taskQueue, deps },
    );

    // A second worker picks the incident up from its history: the wait goes on, the undo runs once.
    const { report, prefix } = await withWorker(
      async ({ client }) => {
        const handle = client.workflow.getHandle(workflowId);
        return { report: (await handle.result()) as IncidentReport, prefix: actionPrefix(handle) };
      },
      { taskQueue, deps },
    );

    expect(report).toMatchObject({ outcome: 'recovered', playbook: 'scale-out-backlog' });
    expect(report.steps).toHaveLength(1);
    expect(report.steps[0]).toMatchObject({
      stepId: 'scale.scale-out',
      status: 'done',
      action: { kind: 'scale', desiredCount: Math.ceil(original * 2) },
      restored: { summaries: [expect.stringMatching(/./)] },
    });
    expect(report.conclusion).toMatch(/scale\.scale-out undone after queue_depth settled/);
    const phases = report.timeline.map((t) => t.phase);
    expect(phases).toContain('settling');
    expect(report.timeline.some((t) => /undone after queue_depth settled/.test(t.event))).toBe(true);
    // The fleet: back to the count the incident found; one scale-out and one scale-in in its ledger.
    expect((await fleet().providers.remediation.describe('checkout')).desiredCount).toBe(original);
    const ids = (await ledger(fleet(), prefix)).map((e) => e.id.replace(/^.*\/p1\//, ''));
    expect(ids).toEqual(['scale.scale-out', 'scale.scale-out/undo0']);
  });
});

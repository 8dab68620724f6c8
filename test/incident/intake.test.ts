import { SA_OUTCOME, SA_PHASE, SA_SERVICE } from '../../workflows/searchAttributes';
import type { Alert } from '../../core/model/alert';
import type { IncidentReport } from '../../core/model/incidentState';
import { intake } from '../../triggers/intake';
import { testActivityDeps, withWorker } from '../harness/env';
import { firingAlert, state, waitForState } from './harness';

/** Intake semantics of the incident workflow, without a target: the incident stays in triage meanwhile. */
describe('incident intake', () => {
  const triaging = (triageSeconds: number) => ({
    deps: { incidents: { ...testActivityDeps().incidents, triageSeconds } },
  });

  it('joins a storm into one incident, ignores repeats, and takes resolutions', async () => {
    await withWorker(async ({ client, taskQueue }) => {
      const first = firingAlert('checkout');
      const storm: Alert[] = Array.from({ length: 40 }, (_, i) => ({
        ...first,
        fingerprint: `${first.fingerprint}-${i % 8}`,
        name: i % 2 ? 'HighLatency' : 'HighErrorRate',
      }));
      const results = await Promise.all(
        [0, 1, 2, 3].map((k) => intake(storm.slice(k * 10, k * 10 + 10), { client, taskQueue })),
      );
      const ids = new Set(results.flat().map((r) => r.workflowId));
      expect(ids.size).toBe(1);
      const handle = client.workflow.getHandle([...ids][0]!);
      const s1 = await waitForState(handle, 'all 8 distinct alerts', (s) => s.alertsSeen === 8);
      expect(s1.firingAlerts).toHaveLength(8);

      await intake(storm, { client, taskQueue }); // a re-delivery of the whole group
      const resolved = storm
        .slice(0, 8)
        .map((a) => ({ ...a, status: 'resolved' as const, endsAt: new Date().toISOString() }));
      await intake(resolved.slice(0, 3), { client, taskQueue });
      const s2 = await waitForState(handle, 'three resolutions', (s) => s.resolvedAlerts.length === 3);
      expect(s2.alertsSeen).toBe(11);
      expect(s2.firingAlerts).toHaveLength(5);
      expect(s2.phase).toBe('triage');
      await handle.terminate('test done');
    }, triaging(120));
  });

  it('closes as noise when the alerts resolve before any action, and a late resolution starts nothing', async () => {
    await withWorker(async ({ client, taskQueue }) => {
      const alert = firingAlert('checkout');
      const [opened] = await intake([alert], { client, taskQueue });
      const handle = client.workflow.getHandle(opened!.workflowId);
      await waitForState(handle, 'the alert', (s) => s.alertsSeen === 1);
      const resolved = { ...alert, status: 'resolved' as const, endsAt: new Date().toISOString() };
      await intake([resolved], { client, taskQueue });
      const report = (await handle.result()) as IncidentReport;
      expect(report.outcome).toBe('noise');
      expect(report.steps).toEqual([]);

      const desc = await handle.describe();
      expect(desc.typedSearchAttributes.get(SA_OUTCOME)).toBe('noise');
      expect(desc.typedSearchAttributes.get(SA_PHASE)).toBe('noise');
      expect(desc.typedSearchAttributes.get(SA_SERVICE)).toBe('checkout');
      expect((await state(handle)).outcome).toBe('noise');

      const [late] = await intake([{ ...resolved, endsAt: new Date().toISOString() }], { client, taskQueue });
      expect(late!.result).toBe('ignored');
      expect(late!.workflowId).toBe(opened!.workflowId);
      // Describe by id alone answers for the latest run and is strongly consistent (a visibility listing
      // might not show a run started a moment ago yet): still the closed run, so no new run was started.
      const latest = await client.workflow.getHandle(opened!.workflowId).describe();
      expect(latest.runId).toBe(desc.runId);
      expect(latest.status.name).toBe('COMPLETED');
    }, triaging(5));
  });
});

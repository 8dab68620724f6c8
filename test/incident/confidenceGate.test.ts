import type { Diagnosis } from '../../core/model/diagnosis';
import type { IncidentReport } from '../../core/model/incidentState';
import { approveUpdate } from '../../workflows/api';
import { waitForMetric } from '../fleet/fleetHarness';
import { withWorker } from '../harness/env';
import {
  actionPrefix,
  firingAlert,
  incidentDeps,
  injectFault,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from './harness';

/**
 * The confidence gate on the real fleet: with incidents.minConfidence above what the diagnosis reached,
 * an unattended playbook waits for a human, whose approval request quotes the diagnosis and its
 * evidence; nothing is done before the approval, and the playbook runs after it.
 */
describe('incident: the confidence gate', () => {
  const fleet = useFleet();

  it('a hang diagnosed below the minimum confidence waits for approval, quoting the diagnosis, then restarts', async () => {
    await injectFault(fleet(), 'checkout', 'hang');
    await waitForMetric(fleet().providers, 'checkout', 'healthy_targets', (v) => v === 2, { seconds: 1 });
    const base = incidentDeps(fleet());
    const { report, waiting, prefix, actedBefore } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const waiting = await waitForState(
          handle,
          'awaiting approval',
          (s) => s.phase === 'awaiting-approval',
        );
        const actedBefore = await ledger(fleet(), actionPrefix(handle));
        await handle.executeUpdate(approveUpdate, {
          args: [{ by: 'alice', reason: 'the evidence is convincing' }],
        });
        return {
          report: (await handle.result()) as IncidentReport,
          waiting,
          prefix: actionPrefix(handle),
          actedBefore,
        };
      },
      // 'high': the hang's diagnosis (one target of three down) is not that sure.
      {
        deps: incidentDeps(fleet(), {
          approvers: ['alice'],
          incidents: { ...base.incidents!, minConfidence: 'high' },
        }),
      },
    );

    const d = waiting.diagnosis as Diagnosis & { score?: number; evidence?: string[] };
    expect(d).toMatchObject({ failureClass: 'deadlock' });
    expect(d.confidence).not.toBe('high');
    // restart-stuck-targets runs unattended by the catalog: the gate alone asked.
    expect(waiting.plan).toMatchObject({ playbook: 'restart-stuck-targets', requiresApproval: true });
    const reason = waiting.plan!.approvalReason;
    expect(reason).toContain(`diagnosis confidence ${d.confidence}`);
    expect(reason).toContain('below the minimum high');
    expect(reason).toContain(d.summary);
    if (d.evidence?.length) expect(reason).toContain(d.evidence[0]);
    expect(waiting.timeline.at(-1)?.event).toContain(reason);
    expect(actedBefore).toEqual([]); // nothing done before the approval

    expect(report).toMatchObject({ outcome: 'recovered', playbook: 'restart-stuck-targets' });
    expect(report.approvals).toMatchObject([{ kind: 'approve', by: 'alice' }]);
    expect((await ledger(fleet(), prefix)).map((e) => e.kind)).toEqual(['restart']);
  });
});

import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { GOVERNOR_WORKFLOW_TYPE, governorWorkflowId } from '../../core/model/governor';
import { governorQuery, pauseUpdate, resumeUpdate } from '../../workflows/governorApi';
import type { IncidentReport } from '../../core/model/incidentState';
import { abortUpdate, approveSignal, approveUpdate } from '../../workflows/api';
import { withWorker } from '../harness/env';
import { maybeRecordHistory } from '../harness/histories';
import { waitFor } from '../fleet/fleetHarness';
import {
  actionPrefix,
  expectRollbackUndone,
  checkoutErring,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  injectFault,
  ledger,
  openIncident,
  state,
  useFleet,
  waitForState,
} from './harness';
import { keyTimeSeconds, postmortem } from '../report/expectations';

/** Humans in the loop: abort with compensation, approvals that time out, approvers that are refused. */
describe('incident: approvals and aborts', () => {
  const fleet = useFleet();

  it('abort during stage 2 undoes the completed steps in reverse order', async () => {
    await injectBadRelease(fleet());
    const bad = (await fleet().providers.remediation.describe('checkout')).targets[0]!.release;

    const { report, prefix, markdown } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        await waitForState(handle, 'stage 2 running', (s) => s.steps.some((st) => st.stage === 'fleet'));
        const decision = await handle.executeUpdate(abortUpdate, {
          args: [{ by: 'alice', reason: 'stop, wrong fix' }],
        });
        expect(decision.accepted).toBe(true);
        const report = (await handle.result()) as IncidentReport;
        await maybeRecordHistory(client, handle.workflowId, 'abort-compensated');
        return {
          report,
          prefix: actionPrefix(handle),
          markdown: await postmortem(client, handle.workflowId),
        };
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );

    expect(report.outcome).toBe('aborted');
    expect(report.conclusion).toMatch(/alice/);
    expect(report.steps.map((s) => s.status)).toEqual(['compensated', 'compensated']);
    expect(report.approvals).toMatchObject([{ kind: 'abort', by: 'alice', via: 'update' }]);
    // The postmortem names who aborted and why, and what was undone.
    expect(markdown).toMatch(/Outcome: \*\*aborted\*\*/);
    expect(markdown).toMatch(/\*\*abort\*\* by \*\*alice\*\* via update — "stop, wrong fix"/);
    expect(markdown.match(/^- \S+ \(set-release\) undone: /gm)).toHaveLength(2);
    expect(markdown).toMatch(/alice aborted \("stop, wrong fix"\): decide whether rollback-bad-release/);
    expect(keyTimeSeconds(markdown, 'recover')).toBeNull();
    expect(keyTimeSeconds(markdown, 'mitigate')).toBeGreaterThanOrEqual(0);
    // Forward actions in order, then their undos in reverse order; checkout as the incident found it.
    await expectRollbackUndone(fleet(), prefix, bad);
  });

  it('escalates when nobody approves in time', async () => {
    await injectFault(fleet(), 'payments', 'dependency-outage');
    await checkoutErring(fleet());
    const report = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const report = (await handle.result()) as IncidentReport;
        await maybeRecordHistory(client, handle.workflowId, 'approval-timeout-escalated');
        // The postmortem of the escalation: no action, and what a human must look at.
        const markdown = await postmortem(client, handle.workflowId);
        expect(markdown).toMatch(/Outcome: \*\*escalated\*\*/);
        expect(markdown).toMatch(/Failure class: \*\*dependency-outage\*\*/);
        expect(markdown).toMatch(/No action was taken/);
        expect(markdown).toMatch(/- \[ \] A human must check checkout: .*no approval within 3s/);
        expect(markdown).toMatch(/- \[ \] Nobody approved within the approval window/);
        expect(keyTimeSeconds(markdown, 'mitigate')).toBeNull();
        return report;
      },
      {
        deps: incidentDeps(fleet(), {
          approvers: ['alice'],
          // 3 s, not the default 900 s: test/slow/productionDefaults.test.ts starts the default approval
          // wait (its 900 s timer) and approves within it; no test waits the 15 minutes out.
          incidents: { ...incidentDeps(fleet()).incidents!, approvalTimeoutSeconds: 3 },
        }),
      },
    );
    expect(report).toMatchObject({ outcome: 'escalated', failureClass: 'dependency-outage', steps: [] });
    expect(report.conclusion).toMatch(/no approval within 3s/);
    expect(report.timeline.map((t) => t.phase)).toContain('awaiting-approval');
  });

  it('refuses an approver who is not on the list, keeps waiting, and acts on a valid approval', async () => {
    await injectFault(fleet(), 'payments', 'dependency-outage');
    await checkoutErring(fleet());
    const report = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        await waitForState(handle, 'awaiting approval', (s) => s.phase === 'awaiting-approval');

        const refused = await handle
          .executeUpdate(approveUpdate, { args: [{ by: 'mallory', reason: 'trust me' }] })
          .then(
            () => undefined,
            (err: unknown) => err,
          );
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
        expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(
          /mallory is not an approver/,
        );
        await handle.signal(approveSignal, { by: 'mallory', reason: 'via the UI' });
        const waiting = await waitForState(handle, 'the refusal audited', (s) => s.approvals.length === 1);
        expect(waiting.phase).toBe('awaiting-approval');
        expect(waiting.approvals[0]).toMatchObject({ kind: 'reject', by: 'mallory', via: 'signal' });

        const ok = await handle.executeUpdate(approveUpdate, {
          args: [{ by: 'alice', reason: 'standby is warm', fastPath: true }],
        });
        expect(ok.accepted).toBe(true);
        return (await handle.result()) as IncidentReport;
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );
    if (report.outcome !== 'recovered')
      console.log(report.conclusion, JSON.stringify(report.timeline.slice(-8), null, 1));
    expect(report.outcome).toBe('recovered');
    expect(report.steps).toMatchObject([
      {
        action: { kind: 'set-weights', service: 'payments', weights: { primary: 0, standby: 100 } },
        status: 'done',
      },
    ]);
    expect(report.steps[0]!.verification?.fastPath).toBe(true);
    expect(report.approvals.map((a) => [a.kind, a.by])).toEqual([
      ['reject', 'mallory'],
      ['approve', 'alice'],
    ]);
    const payments = await fleet().providers.remediation.describe('payments');
    expect(payments.weights).toMatchObject({ primary: 0, standby: 100 });
  });

  it('holds every action while automation is paused, and acts once an approver resumes it', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const governorId = governorWorkflowId(taskQueue);
        await client.workflow.executeUpdateWithStart(pauseUpdate, {
          args: [{ by: 'bob', reason: 'change freeze' }],
          startWorkflowOperation: new WithStartWorkflowOperation(GOVERNOR_WORKFLOW_TYPE, {
            workflowId: governorId,
            taskQueue,
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
        await injectBadRelease(fleet());
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const prefix = actionPrefix(handle);
        const held = await waitForState(handle, 'held by the pause', (s) => s.phase === 'paused');
        expect(held.plan?.playbook).toBe('rollback-bad-release');
        // Parked: the governor has the incident on its list of waiters (its waitOutPause answered), so
        // the incident now waits for the resume signal; it still holds and has done nothing.
        await waitFor('the incident parked until resume', async () => {
          const events = (await handle.fetchHistory()).events ?? [];
          const asked = events.find(
            (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'waitOutPause',
          );
          const answered = events.some(
            (e) =>
              asked !== undefined &&
              String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(asked.eventId),
          );
          return answered ? true : undefined;
        });
        expect((await state(handle)).phase).toBe('paused');
        expect((await ledger(fleet(), prefix)).length).toBe(0);

        await client.workflow
          .getHandle(governorId)
          .executeUpdate(resumeUpdate, { args: [{ by: 'alice', reason: 'freeze over' }] });
        const report = (await handle.result()) as IncidentReport;
        // The first fixture predates the resume signal (patch 'pause-resume-signal'): both must replay.
        await maybeRecordHistory(client, handle.workflowId, 'paused-then-resumed');
        await maybeRecordHistory(client, handle.workflowId, 'paused-resumed-by-signal');
        // The governor woke the incident with a signal on resume (no polling through a long pause).
        const signals = ((await handle.fetchHistory()).events ?? [])
          .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
          .filter(Boolean);
        expect(signals).toContain('automationResumed');
        const governor = await client.workflow.getHandle(governorId).query(governorQuery);
        expect(governor.waiting).toEqual([]);
        expect(report.outcome).toBe('recovered');
        const events = report.timeline.map((t) => t.event).join('\n');
        expect(events).toMatch(/automation is paused by bob \(change freeze\)/);
        expect(events).toMatch(/automation resumed/);
        expect((await ledger(fleet(), prefix)).length).toBe(2);
        await maybeRecordHistory(client, governorId, 'governor-paused-resumed');
        await client.workflow.getHandle(governorId).terminate('test done');
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );
  });
});

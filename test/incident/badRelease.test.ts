import { withWorker } from '../harness/env';
import { maybeRecordHistory } from '../harness/histories';
import type { IncidentReport } from '../../core/model/incidentState';
import {
  actionPrefix,
  deployByHand,
  expectEachActionOnce,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from './harness';
import { expectFiguresMatchReports, keyTimeSeconds, postmortem } from '../report/expectations';

/** The bad-release path end to end on the real dev server and the local fleet. */
describe('incident: bad release', () => {
  const fleet = useFleet();

  it('rolls back the canary, verifies, rolls back the rest, and recovers', async () => {
    const before = await fleet().providers.remediation.describe('checkout');
    const goodRelease = before.targets[0]!.release;
    await injectBadRelease(fleet());

    const { report, prefix, markdown } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const report = (await handle.result()) as IncidentReport;
        await maybeRecordHistory(client, handle.workflowId, 'bad-release-recovered');
        // `homeostat stats` and /metrics, read from visibility, agree with the incident's own report.
        await expectFiguresMatchReports(client, taskQueue, [report]);
        // Evidence is bounded: the whole history stays far below Temporal's 512 KB payload warning.
        const size = Number((await handle.describe()).raw.workflowExecutionInfo?.historySizeBytes ?? 0);
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThan(256 * 1024);
        return {
          report,
          prefix: actionPrefix(handle),
          markdown: await postmortem(client, handle.workflowId),
        };
      },
      { deps: incidentDeps(fleet()) },
    );

    // The postmortem, from what Temporal kept: the diagnosis with its confidence, both steps verified,
    // no human decision, and the four times (recover is the report's own duration).
    expect(markdown).toMatch(/Outcome: \*\*recovered\*\*/);
    expect(markdown).toMatch(/Failure class: \*\*bad-release\*\*/);
    expect(markdown).toMatch(/Confidence: \*\*(high|medium|low)\*\* \(score 0\.\d\d of 1\)/);
    expect(markdown.match(/^\| T\+\S+ \| (canary|fleet) \| .* \| done: .* \| healthy: /gm)).toHaveLength(2);
    expect(markdown).toMatch(/No human decision was recorded/);
    expect(markdown).toMatch(/Began: \S+ \(alert HighErrorRate from /);
    expect(keyTimeSeconds(markdown, 'recover')).toBe(report.durationSeconds);
    expect(keyTimeSeconds(markdown, 'detect')).toBeGreaterThanOrEqual(0);
    expect(keyTimeSeconds(markdown, 'diagnose')).toBeLessThanOrEqual(keyTimeSeconds(markdown, 'mitigate')!);
    expect(markdown).toMatch(/Find out what was wrong with release/);

    if (report.outcome !== 'recovered')
      console.log(JSON.stringify({ conclusion: report.conclusion, timeline: report.timeline }, null, 1));
    expect(report.outcome).toBe('recovered');
    expect(report.failureClass).toBe('bad-release');
    expect(report.playbook).toBe('rollback-bad-release');
    const applied = report.steps.map((s) => [s.stage, s.status, s.action.kind]);
    expect(applied).toEqual([
      ['canary', 'done', 'set-release'],
      ['fleet', 'done', 'set-release'],
    ]);
    // The canary was one target; the rest were the others.
    expect(report.steps[0]!.action).toMatchObject({ release: goodRelease, targets: [expect.any(String)] });
    expect(report.steps[1]!.action).toMatchObject({ release: goodRelease });

    const after = await fleet().providers.remediation.describe('checkout');
    expect(after.targets.every((t) => t.release === goodRelease)).toBe(true);
    // Each action once in the fleet's ledger, and nothing else under this incident's ids.
    await expectEachActionOnce(fleet(), prefix, report);
  });

  it('re-plans when a person deploys during the incident, and does not roll their release back', async () => {
    await injectBadRelease(fleet());

    const { report, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        await waitForState(handle, 'canary baking', (s) => s.steps.some((st) => st.status === 'verifying'));
        await deployByHand(fleet(), 'checkout', 'v9-hotfix', 'alice');
        const report = (await handle.result()) as IncidentReport;
        await maybeRecordHistory(client, handle.workflowId, 'hand-deploy-replanned');
        return { report, prefix: actionPrefix(handle) };
      },
      { deps: incidentDeps(fleet()) },
    );

    expect(report.outcome).toBe('recovered');
    expect(report.conclusion).toMatch(/outside change/);
    expect(report.timeline.map((t) => t.event).join('\n')).toMatch(/changed under the incident.*v9-hotfix/);
    // Only the canary step ran; the hotfix stays on every target.
    expect(report.steps.map((s) => s.stepId)).toEqual(['canary.rollback-canary']);
    expect((await ledger(fleet(), prefix)).map((e) => e.id)).toEqual([report.steps[0]!.actionId]);
    const after = await fleet().providers.remediation.describe('checkout');
    expect(after.targets.map((t) => t.release)).toEqual(after.targets.map(() => 'v9-hotfix'));
  });

  it('in dry run, diagnoses and plans, reports the plan, and changes nothing', async () => {
    await injectBadRelease(fleet());
    const before = await fleet().providers.remediation.describe('checkout');

    const { report, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const report = (await handle.result()) as IncidentReport;
        return { report, prefix: actionPrefix(handle) };
      },
      { deps: incidentDeps(fleet(), { incidents: { ...incidentDeps(fleet()).incidents!, dryRun: true } }) },
    );

    expect(report).toMatchObject({ outcome: 'escalated', failureClass: 'bad-release', steps: [] });
    expect(report.playbook).toBe('rollback-bad-release');
    expect(report.conclusion).toBe('dry run: plan rollback-bad-release recorded, not executed');
    expect(report.timeline.map((t) => t.event).join('\n')).toMatch(/plan 1: rollback-bad-release in 2 stage/);
    expect(await ledger(fleet(), prefix)).toEqual([]);
    const releases = (t: { targets: Array<{ id: string; release: string }> }) =>
      t.targets.map((x) => `${x.id}=${x.release}`);
    expect(releases(await fleet().providers.remediation.describe('checkout'))).toEqual(releases(before));
  });
});

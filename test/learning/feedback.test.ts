import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { decideActivities } from '../../activities/decide';
import { detectActivities } from '../../activities/detect';
import { readGovernor } from '../../client/governor';
import { giveFeedback, readLearning, revertLearning } from '../../client/learning';
import type { DetectorEvaluation } from '../../core/detection/state';
import { detectorConfigSchema } from '../../core/model/detectorConfig';
import type { Diagnosis } from '../../core/model/diagnosis';
import { DEFAULT_LEARNING_SETTINGS } from '../../core/model/learning';
import type { NoPlan, ResolvedPlan } from '../../core/model/plan';
import { loadCatalog } from '../../core/playbooks/catalog';
import type { IncidentReport } from '../../core/model/incidentState';
import type { MetricSeries } from '../../core/model/signals';
import type { Providers } from '../../providers/types';
import { abortUpdate } from '../../workflows/api';
import { testActivityDeps, withWorker } from '../harness/env';
import { evidence } from '../unit/evidence';
import { pastIncidents } from './pastIncidents';
import {
  firingAlert,
  incidentDeps,
  injectBadRelease,
  openIncident,
  useFleet,
  waitForState,
} from '../incident/harness';

describe('learning: wrong feedback and the planner', () => {
  const fleet = useFleet();

  it('asks a human once feedback says the playbook was wrong, says whose feedback; a revert lifts it', async () => {
    const taskQueue = `test-${randomUUID()}`;
    // Three recovered runs of rollback-bad-release on checkout: it runs unattended (its catalog default).
    const past = await pastIncidents(taskQueue, 3, {
      service: 'checkout',
      playbook: 'rollback-bad-release',
      result: 'recovered',
    });
    await injectBadRelease(fleet());
    const report = await withWorker(
      async ({ client }) => {
        const say = (workflowId: string, verdict: 'wrong' | 'right' | 'noise', by: string, reason: string) =>
          giveFeedback(client, taskQueue, { workflowId, verdict, by, reason });
        expect(await say('incident:checkout/no-such', 'wrong', 'alice', 'x')).toMatchObject({
          ok: false,
          reason: 'not-found',
        });
        // Loosening feedback is for approvers; wrong (more caution) is open to anyone.
        expect(await say(past[2]!, 'right', 'mallory', 'trust me')).toMatchObject({
          ok: false,
          message: expect.stringMatching(/mallory is not an approver/),
        });
        const first = await say(past[0]!, 'wrong', 'alice', 'rolled back a release that was fine');
        expect(first).toMatchObject({ ok: true, value: { changes: [{ id: 'L1', counts: 'failed' }] } });
        expect(await say(past[1]!, 'wrong', 'carol', 'the database was the cause')).toMatchObject({
          ok: true,
        });

        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const waiting = await waitForState(handle, 'asking a human', (s) => s.phase === 'awaiting-approval');
        expect(waiting.plan?.approvalReason).toMatch(
          /^learned from feedback by alice, carol \("rolled back a release that was fine" on .*\) \[L1, L2\]: learned: rollback-bad-release recovered checkout in only 1 of its last 3 runs/,
        );
        expect(waiting.plan?.trackRecord).toMatchObject({ recovered: 1, failed: 2 });
        expect(await say(handle.workflowId, 'wrong', 'alice', 'too early')).toMatchObject({
          ok: false,
          message: expect.stringMatching(/is still open; feedback is for closed incidents/),
        });

        expect(
          await revertLearning(client, taskQueue, { id: 'L2', by: 'carol', reason: 'mine' }),
        ).toMatchObject({
          ok: false,
          message: expect.stringMatching(/carol is not an approver/),
        });
        const reverted = await revertLearning(client, taskQueue, {
          id: 'L2',
          by: 'alice',
          reason: 'carol meant another incident',
        });
        expect(reverted).toMatchObject({ ok: true, value: { id: 'L2', reverted: { by: 'alice' } } });
        await handle.executeUpdate(abortUpdate, {
          args: [{ by: 'alice', reason: 'plan again after the revert' }],
        });
        await handle.result();

        // The same failure again: the record is 2 of 3 now, so the playbook runs unattended.
        const again = await openIncident(client, taskQueue, firingAlert('checkout'));
        const planned = await waitForState(again, 'planned', (s) => s.plan !== undefined);
        expect(planned.plan).toMatchObject({
          requiresApproval: false,
          trackRecord: { recovered: 2, failed: 1 },
        });
        expect(planned.plan?.approvalReason).toMatch(/approved to run unattended .*\(with feedback L1\)/);
        const report = (await again.result()) as IncidentReport;

        // Every change is in the governor's audit log and in the learning state.
        const log = (await readGovernor(client, taskQueue))?.log ?? [];
        expect(log.filter((e) => e.kind === 'feedback').map((e) => e.by)).toEqual(['alice', 'carol']);
        expect(log.filter((e) => e.kind === 'learning-revert')).toMatchObject([
          { by: 'alice', reason: 'L2 (track-record): carol meant another incident' },
        ]);
        const learning = await readLearning(client, taskQueue);
        expect(learning?.changes.map((c) => [c.id, c.reverted?.by ?? 'active'])).toEqual([
          ['L1', 'active'],
          ['L2', 'alice'],
        ]);
        return report;
      },
      { taskQueue, deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );
    expect(report.outcome).toBe('recovered');
    expect(report.approvals.filter((a) => a.kind === 'approve')).toEqual([]);
  });
});

describe('learning: noise feedback and the detector', () => {
  /** A steady error ratio of about 1 % for 200 s, then 5 % for the last 4 s: the same for every service. */
  const series = (): MetricSeries[] => {
    const now = Date.now();
    const points: Array<[number, number]> = [];
    for (let s = 200; s >= 0; s--) points.push([now - s * 1000, s <= 3 ? 0.05 : 0.01 + (s % 3) * 0.001]);
    return [{ metric: 'error_ratio', labels: {}, points }];
  };
  const providers = {
    signals: { series: async () => series() },
    remediation: { describe: async (service: string) => ({ service, dependencies: [], targets: [] }) },
  } as unknown as Providers;

  it("raises the threshold the detector's activity judges that service with, and only that one", async () => {
    const taskQueue = `test-${randomUUID()}`;
    const [past] = await pastIncidents(taskQueue, 1, {
      service: 'checkout',
      playbook: 'rollback-bad-release',
    });
    await withWorker(
      async ({ client }) => {
        const answer = await giveFeedback(client, taskQueue, {
          workflowId: past!,
          verdict: 'noise',
          by: 'alice',
          reason: 'an announced load test',
        });
        expect(answer.ok && answer.value.changes[0]?.explanation).toMatch(
          /^threshold moved 3\.5 → 4\.0 for checkout after noise feedback by alice on incident:checkout\/past-/,
        );

        // The detector's own activity, on this deployment's task queue (it reads the governor there).
        const { evaluateDetector } = detectActivities(testActivityDeps({ client, providers }));
        const env = new MockActivityEnvironment({ taskQueue });
        const judge = async (sensitivity: number) => {
          const evaluation: DetectorEvaluation = await env.run(evaluateDetector, {
            services: ['checkout', 'web'],
            settings: { ...detectorConfigSchema.parse({}), sensitivity },
            exclusions: {},
            slos: {},
          });
          return Object.fromEntries(
            evaluation.services.map((v) => [v.service, v.signals.find((s) => s.metric === 'error_ratio')]),
          );
        };
        const z = (await judge(3.5)).web?.z;
        expect(z).toBeGreaterThan(1);
        // Configured just below the signal's score: web fires; checkout's threshold is 0.5 higher.
        const verdicts = await judge(z! - 0.25);
        expect(verdicts.web?.state).toBe('anomalous');
        expect(verdicts.checkout?.state).toBe('normal');

        expect(
          await revertLearning(client, taskQueue, { id: 'L1', by: 'alice', reason: 'it was real' }),
        ).toMatchObject({
          ok: true,
        });
        expect((await judge(z! - 0.25)).checkout?.state).toBe('anomalous');
      },
      { taskQueue, deps: { approvers: ['alice'] } },
    );
  });
});

describe('learning: right feedback and promotion', () => {
  const diagnosis: Diagnosis = {
    failureClass: 'bad-release',
    rootService: 'checkout',
    confidence: 'high',
    summary: 'v2 errs',
    findings: [],
    suspectRelease: 'v2',
    goodRelease: 'v1',
    affectedTargets: ['checkout-0', 'checkout-1', 'checkout-2'],
    baselines: { error_ratio: 0.01 },
    healthy: false,
  };
  // The catalog makes this deployment's rollbacks wait for a human.
  const catalog = loadCatalog();
  const gated = {
    ...catalog,
    playbooks: catalog.playbooks.map((p) =>
      p.name === 'rollback-bad-release'
        ? { ...p, requiresApproval: true, approvalReason: 'rollbacks need a human here' }
        : p,
    ),
  };
  const allow = { ...DEFAULT_LEARNING_SETTINGS, promote: true, promoteAfter: 2 };

  it('promotes a gated playbook after right verdicts only while configuration allows; a revert undoes it', async () => {
    const taskQueue = `test-${randomUUID()}`;
    const past = await pastIncidents(taskQueue, 2, {
      service: 'checkout',
      playbook: 'rollback-bad-release',
      result: 'recovered',
    });
    await withWorker(
      async ({ client }) => {
        for (const id of past) {
          const answer = await giveFeedback(client, taskQueue, {
            workflowId: id,
            verdict: 'right',
            by: 'alice',
            reason: 'the rollback was the fix',
          });
          expect(answer.ok).toBe(true);
        }
        // The planner activity, as the worker runs it on this task queue.
        const plan = async (promote: boolean) => {
          const { planRemediation } = decideActivities(
            testActivityDeps({ client, catalog: gated, learning: { ...allow, promote } }),
          );
          const made: ResolvedPlan | NoPlan = await new MockActivityEnvironment({ taskQueue }).run(
            planRemediation,
            { diagnosis, evidence: evidence() },
          );
          if (made.playbook === null) throw new Error(`no plan: ${made.reason}`);
          return made;
        };
        const promoted = await plan(true);
        expect(promoted.requiresApproval).toBe(false);
        expect(promoted.approvalReason).toMatch(
          /^promoted: rollback-bad-release runs on checkout without the catalog's approval after 2 right verdicts .*\[L1\] \(the catalog says: rollbacks need a human here\)/,
        );
        expect((await plan(false)).requiresApproval).toBe(true);

        expect(
          await revertLearning(client, taskQueue, { id: 'L1', by: 'alice', reason: 'not yet' }),
        ).toMatchObject({ ok: true });
        expect(await plan(true)).toMatchObject({
          requiresApproval: true,
          approvalReason: expect.stringMatching(/^rollbacks need a human here/),
        });
      },
      { taskQueue, deps: { approvers: ['alice'], learning: allow } },
    );
  });
});

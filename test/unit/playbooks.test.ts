import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { actActivities, undoActions, type CompensateRequest } from '../../activities/act';
import { judge, chooseSeries } from '../../activities/verify';
import type { Diagnosis } from '../../core/model/diagnosis';
import type { ResolvedPlan } from '../../core/model/plan';
import { CatalogError, loadCatalog } from '../../core/playbooks/catalog';
import { resolvePlan } from '../../core/playbooks/resolve';
import { applyTrackRecord } from '../../core/playbooks/trackRecord';
import type { ActionOutcome } from '../../core/model/signals';
import { sleep } from '../../providers/abort';
import { createLocalFleetProviders } from '../../providers/local';
import {
  ProviderError,
  type ActionRequest,
  type Providers,
  type RemediationProvider,
} from '../../providers/types';
import { testActivityDeps } from '../harness/env';
import { targets } from './evidence';

const badRelease: Diagnosis = {
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
const topology = {
  service: 'checkout',
  targets: targets('v2', 3),
  weights: {},
  desiredCount: 3,
  dependencies: [],
};

describe('the default playbook catalog', () => {
  it('loads and validates', () => {
    const catalog = loadCatalog();
    expect(catalog.playbooks.map((p) => p.failureClass)).toEqual(
      expect.arrayContaining(['bad-release', 'memory-leak', 'dependency-outage', 'deadlock']),
    );
  });

  it('rejects a bad catalog, naming the path that is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-catalog-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 1, playbooks: [{ name: 'x', failureClass: 'gremlins' }] }));
    expect(() => loadCatalog(file)).toThrow(CatalogError);
    expect(() => loadCatalog(file)).toThrow(/playbooks\.0\.failureClass/);
  });
});

describe('resolvePlan', () => {
  const catalog = loadCatalog();

  it('rolls back one canary target first, then the rest, with thresholds from the baseline', () => {
    const plan = resolvePlan(catalog, badRelease, topology) as ResolvedPlan;
    expect(plan.playbook).toBe('rollback-bad-release');
    expect(plan.requiresApproval).toBe(false);
    expect(plan.stages.map((s) => s.steps.map((st) => st.action))).toEqual([
      [{ kind: 'set-release', service: 'checkout', release: 'v1', targets: ['checkout-0'] }],
      [{ kind: 'set-release', service: 'checkout', release: 'v1', targets: ['checkout-1', 'checkout-2'] }],
    ]);
    expect(plan.stages[0]!.steps[0]!.compensation).toBe('restore-release');
    expect(plan.stages[0]!.steps[0]!.verify.max).toBe(0.05); // floor beats 2 × 0.01
    expect(plan.expectedReleases).toEqual({ 'checkout-0': 'v2', 'checkout-1': 'v2', 'checkout-2': 'v2' });
  });

  it('drops an empty stage when only one target is affected', () => {
    const plan = resolvePlan(
      catalog,
      { ...badRelease, affectedTargets: ['checkout-2'] },
      topology,
    ) as ResolvedPlan;
    expect(plan.stages.map((s) => s.name)).toEqual(['canary']);
  });

  it('escalates what it cannot plan', () => {
    expect(resolvePlan(catalog, { ...badRelease, failureClass: 'unknown' }, topology)).toMatchObject({
      playbook: null,
    });
    const { goodRelease: _ignored, ...noGood } = badRelease;
    expect(resolvePlan(catalog, noGood, topology)).toMatchObject({
      playbook: null,
      reason: /no earlier release/,
    });
  });

  it('needs approval to reroute a dependency', () => {
    const plan = resolvePlan(
      catalog,
      { ...badRelease, failureClass: 'dependency-outage', rootService: 'payments', affectedTargets: [] },
      { ...topology, service: 'payments', weights: { primary: 100, standby: 0 } },
    ) as ResolvedPlan;
    expect(plan.requiresApproval).toBe(true);
    expect(plan.stages[0]!.steps[0]!.action).toEqual({
      kind: 'set-weights',
      service: 'payments',
      weights: { primary: 0, standby: 100 },
    });
  });
});

describe('learning from the track record', () => {
  const plan = resolvePlan(loadCatalog(), badRelease, topology) as ResolvedPlan;
  const record = (recovered: number, failed: number) => ({
    service: 'checkout',
    playbook: 'rollback-bad-release',
    recovered,
    failed,
    days: 30,
  });

  it('asks a human for a playbook that mostly failed on the service lately', () => {
    const learned = applyTrackRecord(plan, record(1, 2));
    expect(learned.requiresApproval).toBe(true);
    expect(learned.approvalReason).toMatch(
      /learned: rollback-bad-release recovered checkout in only 1 of its last 3 runs/,
    );
    expect(learned.trackRecord).toEqual(record(1, 2));
  });

  it('keeps running unattended on a good record, or on too few runs to judge', () => {
    expect(applyTrackRecord(plan, record(2, 2))).toMatchObject({
      requiresApproval: false,
      approvalReason:
        'playbook rollback-bad-release is approved to run unattended (recovered checkout 2 of 4 runs in 30 days)',
    });
    expect(applyTrackRecord(plan, record(0, 2)).requiresApproval).toBe(false);
    expect(applyTrackRecord(plan, record(0, 0))).toMatchObject({
      requiresApproval: false,
      trackRecord: record(0, 0),
    });
  });

  it('never lifts an approval the catalog asks for', () => {
    const gated = { ...plan, requiresApproval: true, approvalReason: 'playbook says so' };
    expect(applyTrackRecord(gated, record(9, 0))).toMatchObject({
      requiresApproval: true,
      approvalReason: 'playbook says so (recovered checkout 9 of 9 runs in 30 days)',
    });
  });
});

describe('compensation', () => {
  it('restores each target to the release it ran before', () => {
    const undo = undoActions({
      actionId: 'a',
      kind: 'restore-release',
      action: { kind: 'set-release', service: 'checkout', release: 'v1', targets: ['c-0', 'c-1', 'c-2'] },
      outcome: {
        actionId: 'a',
        applied: true,
        summary: '',
        before: { release: { 'c-0': 'v2', 'c-1': 'v2', 'c-2': 'v3' } },
        after: { release: { 'c-0': 'v1', 'c-1': 'v1', 'c-2': 'v1' } },
      },
    });
    expect(undo).toEqual([
      { kind: 'set-release', service: 'checkout', release: 'v2', targets: ['c-0', 'c-1'] },
      { kind: 'set-release', service: 'checkout', release: 'v3', targets: ['c-2'] },
    ]);
  });

  it('restores weights and counts, and leaves a restart alone', () => {
    const outcome = {
      actionId: 'a',
      applied: true,
      summary: '',
      before: { weights: { a: 100, b: 0 }, desiredCount: 3 },
      after: {},
    };
    expect(
      undoActions({
        actionId: 'a',
        kind: 'restore-weights',
        action: { kind: 'set-weights', service: 's', weights: {} },
        outcome,
      }),
    ).toEqual([{ kind: 'set-weights', service: 's', weights: { a: 100, b: 0 } }]);
    expect(
      undoActions({
        actionId: 'a',
        kind: 'restore-count',
        action: { kind: 'scale', service: 's', desiredCount: 6 },
        outcome,
      }),
    ).toEqual([{ kind: 'scale', service: 's', desiredCount: 3 }]);
    expect(
      undoActions({ actionId: 'a', kind: 'none', action: { kind: 'restart', service: 's' }, outcome }),
    ).toEqual([]);
  });
});

/**
 * The action activities in an activity context (no server): a fake provider records what they ask and
 * stands in for a rollout that takes its time.
 */
describe('action activities', () => {
  const action = { kind: 'set-release' as const, service: 'checkout', release: 'v1', targets: ['c-0'] };
  const firstOutcome: ActionOutcome = {
    actionId: 'inc/rollback',
    applied: true,
    summary: 'release v1 applied to c-0',
    before: { release: { 'c-0': 'v2' } },
    after: { release: { 'c-0': 'v1' } },
  };

  /** setRelease answers the step's id with its first outcome (as the ledgers do) and anything else as sent. */
  function fakeProvider(wait?: (req: ActionRequest) => Promise<void>) {
    const calls: Array<{ actionId: string; release: string; targets?: string[] }> = [];
    const remediation = {
      async setRelease(req: ActionRequest & { release: string; targets?: string[] }): Promise<ActionOutcome> {
        calls.push({ actionId: req.actionId, release: req.release, targets: req.targets });
        await wait?.(req);
        if (req.actionId === firstOutcome.actionId) return { ...firstOutcome, applied: false };
        return { ...firstOutcome, actionId: req.actionId, summary: `release ${req.release} applied` };
      },
    } as unknown as RemediationProvider;
    const providers = { remediation, maxActionSeconds: 60 } as unknown as Providers;
    const activities = actActivities({ ...testActivityDeps({ recordDir: tmpdir() }), providers });
    return { calls, activities };
  }

  it('compensates a step of unknown outcome by asking with the same id and action, then undoing that', async () => {
    const { calls, activities } = fakeProvider();
    // Heartbeat timeouts of a second or less keep these activity tests quick; the derived default (20 s)
    // against the default 15 s AWS poll is test/slow/awsDefaultPoll.test.ts.
    const undone = await new MockActivityEnvironment({ heartbeatTimeoutMs: 1_000 }).run(
      activities.compensateStep,
      { actionId: 'inc/rollback', kind: 'restore-release', action } satisfies CompensateRequest,
    );
    expect(calls).toEqual([
      { actionId: 'inc/rollback', release: 'v1', targets: ['c-0'] },
      { actionId: 'inc/rollback/undo0', release: 'v2', targets: ['c-0'] },
    ]);
    expect(undone).toEqual(['release v2 applied']);
  });

  it('a retried compensation takes the outcome its earlier attempt learned, and a restart asks nothing', async () => {
    const { calls, activities } = fakeProvider();
    const env = new MockActivityEnvironment({
      heartbeatTimeoutMs: 1_000,
      attempt: 2,
      heartbeatDetails: { progress: 'learned', outcome: firstOutcome },
    });
    const retry: CompensateRequest = { actionId: 'inc/rollback', kind: 'restore-release', action };
    await env.run(activities.compensateStep, retry);
    expect(calls.map((c) => c.actionId)).toEqual(['inc/rollback/undo0']);

    const restart: CompensateRequest = {
      actionId: 'inc/restart',
      kind: 'none',
      action: { kind: 'restart', service: 'checkout' },
    };
    await new MockActivityEnvironment().run(activities.compensateStep, restart);
    expect(calls).toHaveLength(1);
  });

  it('heartbeats on its own ticker while the provider waits without reporting progress', async () => {
    const beats: unknown[] = [];
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 500 });
    // The provider says nothing and returns only once the activity has heartbeaten four times (one at
    // the start, then its ticker): without the ticker it never returns and the test times out.
    const fourBeats = new Promise<void>((resolve) =>
      env.on('heartbeat', (d: unknown) => {
        beats.push(d);
        if (beats.length >= 4) resolve();
      }),
    );
    const { activities, calls } = fakeProvider(() => fourBeats);
    await env.run(activities.executeAction, { actionId: 'inc/other', action });
    expect(calls).toHaveLength(1);
    expect(beats.length).toBeGreaterThanOrEqual(4);
  }, 10_000);

  it('a cancellation reaches the provider call and the activity ends cancelled, not failed', async () => {
    let sawSignal: AbortSignal | undefined;
    let called!: () => void;
    const providerCalled = new Promise<void>((r) => (called = r));
    const { activities } = fakeProvider(async (req) => {
      sawSignal = req.signal;
      called();
      // A provider wrapping the abort in its own error: the activity must still report a cancellation.
      await sleep(60_000, req.signal).catch(() => {
        throw new ProviderError('UpdateService: aborted', 'AbortError', false);
      });
    });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 1_000 });
    const running = env.run(activities.executeAction, { actionId: 'inc/slow', action });
    await providerCalled; // cancel while the provider call is under way, not before it starts
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(sawSignal?.aborted).toBe(true);
  });
});

/** The local fleet's provider against a stand-in control API whose action never finishes. */
describe('local fleet provider, cancelled', () => {
  it('stops polling and the request in flight when its signal aborts, ending with the reason', async () => {
    const requests: string[] = [];
    let hung: (() => void) | undefined;
    const hangs = new Promise<void>((r) => (hung = r));
    let dropped!: () => void;
    const droppedByClient = new Promise<void>((r) => (dropped = r));
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      const running = { action: { id: 'inc/slow', kind: 'restart', status: 'running' }, repeated: false };
      // The third GET hangs: the abort must end it rather than wait for its 30 s timeout.
      if (requests.length >= 4) {
        res.on('close', () => dropped());
        return hung?.();
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify(running));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      // pollMs 20 (default 500 ms, which test/slow/productionDefaults.test.ts's worker uses) keeps it quick.
      const providers = createLocalFleetProviders({ controlUrl: `http://127.0.0.1:${port}`, pollMs: 20 });
      expect(providers.maxActionSeconds).toBeGreaterThan(180);
      const controller = new AbortController();
      const reason = new Error('stop');
      const restart = providers.remediation.restart({
        actionId: 'inc/slow',
        service: 'checkout',
        signal: controller.signal,
      });
      await hangs; // a GET is in flight and unanswered
      controller.abort(reason);
      await expect(restart).rejects.toBe(reason);
      // The abort closed the request in flight (the server saw it go), not its 30 s timeout.
      await droppedByClient;
      const seen = requests.length;
      // No condition marks "never polls again": five poll intervals (20 ms) of silence stand for it.
      await new Promise((r) => setTimeout(r, 100));
      expect(requests.length).toBe(seen);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('verification', () => {
  const req = {
    service: 'checkout',
    // bakeSeconds 0: the activity reads its window only (the workflow bakes); the default catalog's bake
    // times run in test/slow/productionDefaults.test.ts.
    check: { metric: 'error_ratio', max: 0.05, bakeSeconds: 0, windowSeconds: 10, scope: 'targets' as const },
    targets: ['c-0'],
    releases: ['v1'],
    since: '2026-11-28T10:00:00Z',
    fastPath: false,
  };
  const s = (labels: Record<string, string>, v: number) => ({
    metric: 'error_ratio',
    labels,
    points: [[1000, v] as [number, number]],
  });

  it('judges the narrowest series that covers the step', () => {
    const all = [s({}, 0.5), s({ release: 'v1' }, 0.01), s({ target: 'c-0' }, 0.02)];
    expect(chooseSeries(all, req)).toEqual([all[2]]);
    expect(chooseSeries(all.slice(0, 2), req)).toEqual([all[1]]);
    expect(chooseSeries(all, { ...req, check: { ...req.check, scope: 'service' } })).toEqual([all[0]]);
    // Where there are neither target nor release series (CloudWatch), the targets' pools stand in.
    const byPool = [s({}, 0.5), s({ pool: 'cell-a' }, 0.01), s({ pool: 'cell-b' }, 0.5)];
    expect(chooseSeries(byPool, { ...req, releases: [], pools: ['cell-a'] })).toEqual([byPool[1]]);
  });

  it('fails without data and on any sample out of bounds', () => {
    expect(judge([], req, 0, 2000)).toMatchObject({ healthy: false, observed: null });
    expect(judge([s({}, 0.01), s({}, 0.2)], req, 0, 2000)).toMatchObject({ healthy: false, observed: 0.2 });
    expect(judge([s({}, 0.01)], req, 0, 2000)).toMatchObject({ healthy: true, samples: 1 });
  });
});

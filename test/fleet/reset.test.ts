import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  actionId,
  callControl,
  injectFleetFault,
  useTestFleet,
  waitFor,
  waitForMetric,
} from './fleetHarness';

/**
 * POST /reset: whatever faults and actions came before, the fleet is back in its initial state, while
 * the ledger, the deploy history and the metric series remember what happened.
 */
const test = useTestFleet({}, (t) => waitForMetric(t.providers, 'web', 'request_rate', (v) => v > 10));

interface ServiceView {
  targets: Array<{ id: string; release: string; pool: string; healthy: boolean; pid: number }>;
  weights: Record<string, number>;
  desiredCount: number;
  conditions: Record<string, unknown>;
  queueDepth?: number;
  deadLetters?: number;
}

const service = async (name: string): Promise<ServiceView> =>
  (await callControl<ServiceView>(test, 'GET', `/services/${name}`)).body;

/** The parts of a service the reset restores, as the initial state has them with 3 replicas. */
function asStarted(name: string): unknown {
  return {
    targets: [0, 1, 2].map((i) => ({
      id: `${name}-${i}`,
      release: 'v1',
      pool: i === 2 ? 'standby' : 'primary',
      healthy: true,
    })),
    weights: { primary: 100, standby: 0 },
    desiredCount: 3,
    conditions: {},
  };
}

const restored = (s: ServiceView): unknown => ({
  targets: s.targets.map(({ id, release, pool, healthy }) => ({ id, release, pool, healthy })),
  weights: s.weights,
  desiredCount: s.desiredCount,
  conditions: s.conditions,
});

it('returns releases, weights, replicas, faults, caches, queue and dead letters to the start, keeping history', async () => {
  const startedAt = Date.now();
  // Break it every way the fleet can break: each of these outlives the action that caused it.
  await injectFleetFault(test, 'checkout', 'failed-jobs');
  await waitForMetric(test.providers, 'checkout', 'dead_letters', (v) => v > 0, { seconds: 1 });
  await injectFleetFault(test, 'checkout', 'queue-backlog');
  await injectFleetFault(test, 'checkout', 'bad-release', { by: 'alice' });
  await injectFleetFault(test, 'web', 'corrupted-cache');
  await injectFleetFault(test, 'web', 'memory-leak', { target: 'web-1' });
  await injectFleetFault(test, 'payments', 'hang', { target: 'payments-0' });
  const scaled = await callControl(test, 'POST', '/services/web/scale', {
    actionId: actionId('scale'),
    desiredCount: 4,
  });
  expect(scaled.body).toMatchObject({ action: { status: 'succeeded' } });
  await callControl(test, 'POST', '/services/payments/weights', {
    actionId: actionId('weights'),
    weights: { primary: 40, standby: 60 },
  });
  await waitFor('payments-0 unhealthy', async () =>
    (await service('payments')).targets.find((t) => t.id === 'payments-0')?.healthy === false
      ? true
      : undefined,
  );
  const hungPid = (await service('payments')).targets.find((t) => t.id === 'payments-0')!.pid;
  const webPids = (await service('web')).targets.map((t) => [t.id, t.pid]);
  const ledgerBefore = (await callControl<{ actions: unknown[] }>(test, 'GET', '/actions?limit=1000')).body;

  const id = actionId('reset');
  const reset = await callControl<{ action: { status: string; kind: string; result: { summary: string } } }>(
    test,
    'POST',
    '/reset',
    { actionId: id, by: 'test' },
  );
  expect(reset).toMatchObject({ status: 200, body: { action: { status: 'succeeded', kind: 'reset' } } });

  for (const name of ['web', 'checkout', 'payments'])
    expect(restored(await service(name))).toEqual(asStarted(name));
  // The backlog and the dead letters were dropped (under load new jobs queue at once, so the queue's
  // depth after the reset says nothing).
  expect(reset.body.action.result.summary).toMatch(/checkout: .*dropped a backlog of \d+ jobs/);
  const dropped = /dropped (\d+) dead letters/.exec(reset.body.action.result.summary);
  expect(Number(dropped?.[1])).toBeGreaterThan(0);
  expect((await service('checkout')).deadLetters).toBe(0);
  // The hung and the leaking replica got a fresh process, the others kept theirs; the corrupt cache and
  // the failing jobs are gone.
  expect((await service('payments')).targets.find((t) => t.id === 'payments-0')!.pid).not.toBe(hungPid);
  const webAfter = new Map((await service('web')).targets.map((t) => [t.id, t.pid]));
  expect(webPids.filter(([id, pid]) => webAfter.get(id as string) === pid).map(([id]) => id)).toEqual([
    'web-0',
    'web-2',
  ]);
  await waitForMetric(test.providers, 'web', 'error_ratio', (v) => v < 0.02);
  await waitForMetric(test.providers, 'checkout', 'dead_letters', (v) => v === 0, { seconds: 3 });

  // History stays: the bad release, then the reset's own deploy back to v1; the ledger; the series.
  const deploys = await test.providers.deploys.deployments('checkout', new Date(startedAt));
  expect(deploys.map((d) => [d.release, d.by])).toEqual([
    ['v2', 'alice'],
    ['v1', 'test'],
  ]);
  const ledgerAfter = (await callControl<{ actions: unknown[] }>(test, 'GET', '/actions?limit=1000')).body;
  expect(ledgerAfter.actions.slice(0, ledgerBefore.actions.length)).toEqual(ledgerBefore.actions);
  const series = await test.providers.signals.series({
    service: 'checkout',
    metrics: ['error_ratio'],
    from: new Date(startedAt - 5_000),
    to: new Date(),
    stepSeconds: 1,
  });
  expect(series[0]!.points.some(([at]) => at < startedAt)).toBe(true);

  // A repeated id is a ledger hit; a reset of a fleet already as started changes nothing.
  const again = await callControl(test, 'POST', '/reset', { actionId: id, by: 'test' });
  expect(again.body).toMatchObject({ repeated: true, action: { id } });
  const idle = await callControl<{ action: { result: { summary: string } } }>(test, 'POST', '/reset', {
    actionId: actionId('reset-idle'),
  });
  expect(idle.body.action.result.summary).toBe(
    'web: already as started; checkout: already as started; payments: already as started',
  );
  expect(await test.providers.deploys.deployments('checkout', new Date(startedAt))).toHaveLength(2);
});

it('bad input to /reset returns a 4xx naming the field and changes nothing', async () => {
  const before = (await callControl<{ actions: unknown[] }>(test, 'GET', '/actions?limit=1000')).body;
  const cases: Array<[unknown, number, string]> = [
    [{}, 400, 'actionId'],
    [{ actionId: 'has space' }, 400, 'actionId'],
    [{ actionId: actionId('bad'), by: '' }, 400, 'by'],
    [{ actionId: actionId('bad'), services: ['web'] }, 400, 'services'],
    ['{not json', 400, 'body'],
  ];
  for (const [body, status, field] of cases) {
    const reply = await callControl<{ field?: string; error?: string }>(test, 'POST', '/reset', body);
    expect({ body, status: reply.status, field: reply.body.field }).toEqual({ body, status, field });
    expect(typeof reply.body.error).toBe('string');
  }
  const after = (await callControl<{ actions: unknown[] }>(test, 'GET', '/actions?limit=1000')).body;
  expect(after.actions).toEqual(before.actions);
});

/** `npm run fault -- reset …`, as a demo user runs it: exit code, stdout and stderr. */
async function faultScript(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = join(__dirname, '../../scripts/fault.ts');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      script,
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it('the fault script resets the fleet, and refuses options that name a part of it', async () => {
  const url = test.fleet.controlUrl;
  expect(await faultScript('reset', '--service', 'web', '--url', url)).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('reset acts on the whole fleet; drop --service'),
  });
  expect(await faultScript('reset', 'now', '--url', url)).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('name exactly one scenario'),
  });
  expect(await faultScript('reset', '--by', '', '--url', url)).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('(field by)'),
  });
  const before = (await callControl<{ actions: unknown[] }>(test, 'GET', '/actions?limit=1000')).body;

  const done = await faultScript('reset', '--by', 'demo', '--url', url);
  expect(done).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(/^web: .*; checkout: .*; payments: .*\n$/),
  });
  const after = (
    await callControl<{ actions: Array<{ kind: string; params: unknown }> }>(
      test,
      'GET',
      '/actions?limit=1000',
    )
  ).body;
  expect(after.actions.slice(before.actions.length)).toEqual([
    expect.objectContaining({ kind: 'reset', params: expect.objectContaining({ by: 'demo' }) }),
  ]);
});

it('waits for actions already running on any service, then resets what they did', async () => {
  // Answered at once (202) while the new replicas start; the reset queues behind it.
  const scaling = await callControl<{ action: { id: string; status: string } }>(
    test,
    'POST',
    '/services/web/scale?waitMs=0',
    { actionId: actionId('scale-running'), desiredCount: 5 },
  );
  expect(scaling).toMatchObject({ status: 202, body: { action: { status: 'running' } } });
  const reset = await callControl<{ action: { result: { summary: string } } }>(test, 'POST', '/reset', {
    actionId: actionId('reset-after'),
  });
  expect(reset.body.action.result.summary).toMatch(/^web: removed web-\d+, web-\d+;/);
  const scaled = await callControl<{ action: { status: string } }>(
    test,
    'GET',
    `/actions/${scaling.body.action.id}`,
  );
  expect(scaled.body.action.status).toBe('succeeded');
  expect(restored(await service('web'))).toEqual(asStarted('web'));
});

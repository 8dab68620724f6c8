import { ProviderError } from '../../providers/types';
import {
  actionId,
  callControl,
  isAlive,
  processesMentioning,
  sleep,
  startTestFleet,
  useTestFleet,
  waitFor,
  waitForMetric,
  type ControlReply,
} from './fleetHarness';

/** The control API's contract: idempotent actions, strict input, honest health, durable state, no orphans. */
const test = useTestFleet({ loadRps: 10 });

interface StateView {
  services: Record<
    string,
    {
      targets: Array<{ id: string; release: string; healthy: boolean; pid: number; exited?: string }>;
      weights: Record<string, number>;
      desiredCount: number;
    }
  >;
}

interface ApiBody {
  error?: string;
  field?: string;
  repeated?: boolean;
  action?: { id: string; status: string };
  actions?: Array<{ id: string; kind: string; target: string; status: string }>;
}

const call = (method: string, path: string, body?: unknown): Promise<ControlReply<ApiBody>> =>
  callControl<ApiBody>(test, method, path, body);

/** What must not change when a request is refused: releases, weights, desired counts, the ledger. */
async function desiredState(): Promise<unknown> {
  const state = (await call('GET', '/state')).body as unknown as StateView;
  const ledger = (await call('GET', '/actions?limit=1000')).body.actions ?? [];
  const services = Object.entries(state.services).map(([name, s]) => ({
    name,
    releases: s.targets.map((t) => `${t.id}=${t.release}`),
    weights: s.weights,
    desiredCount: s.desiredCount,
  }));
  return { services, ledger: ledger.length };
}

it('repeating an action id applies it once and returns the first result', async () => {
  const id = actionId('weights');
  const first = await call('POST', '/services/web/weights', { actionId: id, weights: { standby: 10 } });
  const second = await call('POST', '/services/web/weights', { actionId: id, weights: { standby: 10 } });
  expect(first).toMatchObject({ status: 200, body: { repeated: false, action: { status: 'succeeded' } } });
  expect(second).toMatchObject({ status: 200, body: { repeated: true } });
  expect(second.body.action).toEqual(first.body.action);

  // Through the provider: the second setRelease with the same id deploys nothing.
  const deploysBefore = await test.providers.deploys.deployments('payments', new Date(0));
  const releaseId = actionId('release');
  const req = { actionId: releaseId, service: 'payments', release: 'v9' };
  const applied = await test.providers.remediation.setRelease(req);
  const repeated = await test.providers.remediation.setRelease(req);
  expect(applied.applied).toBe(true);
  expect(repeated).toMatchObject({ applied: false, before: applied.before, after: applied.after });
  const deploysAfter = await test.providers.deploys.deployments('payments', new Date(0));
  expect(deploysAfter).toHaveLength(deploysBefore.length + 1);
  expect(deploysAfter.at(-1)).toMatchObject({ release: 'v9', by: `homeostat:${releaseId}` });

  const ledger = (await call('GET', '/actions?limit=1000')).body.actions ?? [];
  expect(ledger.filter((e) => e.id === id)).toHaveLength(1);
  expect(ledger.filter((e) => e.id === releaseId)).toEqual([
    expect.objectContaining({ kind: 'deploy', target: 'payments', status: 'succeeded' }),
  ]);

  // The same id for a different action is refused, not silently answered with the old result.
  const reused = await call('POST', '/services/web/scale', { actionId: id, desiredCount: 4 });
  expect(reused).toMatchObject({ status: 409, body: { field: 'actionId' } });
});

it('serves Prometheus metrics: RED per release and pool at the control API, and from every replica', async () => {
  await waitForMetric(test.providers, 'web', 'request_rate', (v) => v > 5);
  const control = await (await fetch(`${test.fleet.controlUrl}/metrics`)).text();
  expect(control).toMatch(
    /fleet_proxy_requests_total\{service="web",release="v1",pool="primary",target="web-\d",code="200"\} \d+/,
  );
  expect(control).toMatch(/fleet_proxy_request_duration_seconds_bucket\{.*service="checkout"/);
  expect(control).toMatch(/fleet_queue_depth\{service="checkout"\}/);

  const state = (await call('GET', '/state')).body as unknown as {
    services: Record<string, { targets: Array<{ url: string }> }>;
  };
  const replica = await (await fetch(`${state.services.checkout!.targets[0]!.url}/metrics`)).text();
  expect(replica).toMatch(
    /fleet_http_requests_total\{code="200",service="checkout",target="checkout-0",release="v1"\}/,
  );
  expect(replica).toMatch(/process_resident_memory_bytes/);
  expect(replica).toMatch(/fleet_event_loop_lag_seconds/);
});

it('bad input returns a 4xx naming the field and changes nothing', async () => {
  const before = await desiredState();
  const id = actionId('bad');
  const cases: Array<[string, string, unknown, number, string]> = [
    ['POST', '/services/web/weights', { actionId: id, weights: { primary: 'x' } }, 400, 'weights.primary'],
    ['POST', '/services/web/weights', { actionId: id, weights: { blue: 3 } }, 400, 'weights.blue'],
    ['POST', '/services/web/weights', { actionId: id, weights: { primary: 0, standby: 0 } }, 400, 'weights'],
    ['POST', '/services/web/weights', { weights: { primary: 50 } }, 400, 'actionId'],
    ['POST', '/services/web/weights', { actionId: 'has space', weights: { primary: 50 } }, 400, 'actionId'],
    ['POST', '/services/web/scale', { actionId: id, desiredCount: 0 }, 400, 'desiredCount'],
    ['POST', '/services/web/scale', { actionId: id, desiredCount: 2.5 }, 400, 'desiredCount'],
    ['POST', '/services/web/scale', { actionId: id, desiredCount: 99 }, 400, 'desiredCount'],
    ['POST', '/services/web/scale', { actionId: id, desiredCount: 4, colour: 'red' }, 400, 'colour'],
    ['POST', '/services/web/deploy', { actionId: id, release: 'v2' }, 400, 'by'],
    ['POST', '/services/web/deploy', { actionId: id, release: 'v 2', by: 'x' }, 400, 'release'],
    ['POST', '/services/web/restart', { actionId: id, targets: ['web-0', 'web-77'] }, 400, 'targets.1'],
    ['POST', '/services/nope/restart', { actionId: id }, 404, 'service'],
    ['POST', '/services/web/faults', { actionId: id, scenario: 'meteor' }, 400, 'scenario'],
    ['POST', '/services/web/dead-letters/replay', { actionId: id }, 409, 'service'],
    ['POST', '/services/web/restart', '{not json', 400, 'body'],
    ['GET', '/services/web/series', undefined, 400, 'metrics'],
    ['GET', '/services/web/series?metrics=error_ratio&from=yesterday', undefined, 400, 'from'],
  ];
  for (const [method, path, body, status, field] of cases) {
    const reply = await call(method, path, body);
    expect({ path, body, status: reply.status, field: reply.body.field }).toEqual({
      path,
      body,
      status,
      field,
    });
    expect(typeof reply.body.error).toBe('string');
  }
  expect(await desiredState()).toEqual(before);

  const refused = await test.providers.remediation
    .scale({ actionId: actionId('scale0'), service: 'web', desiredCount: 0 })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ProviderError);
  expect(refused).toMatchObject({ code: 'invalid_desiredCount', retryable: false });
  await expect(test.providers.remediation.describe('nope')).rejects.toMatchObject({
    code: 'unknown_service',
    retryable: false,
  });
});

it('a replica killed with SIGKILL is reported unhealthy, not replaced behind our back; restart heals it', async () => {
  const state = (await call('GET', '/state')).body as unknown as StateView;
  const victim = state.services.web!.targets.find((t) => t.id === 'web-1')!;
  process.kill(victim.pid, 'SIGKILL');

  await waitFor('web-1 unhealthy', async () => {
    const t = await test.providers.remediation.describe('web');
    return t.targets.find((x) => x.id === 'web-1')?.healthy === false ? true : undefined;
  });
  await waitForMetric(test.providers, 'web', 'healthy_targets', (v) => v === 2, { seconds: 1 });
  // And it stays that way: no supervisor hides the crash. A fixed time is what this checks (that nothing
  // replaces the replica for a while), so here a sleep stands for no condition.
  await sleep(3_000);
  const still = (await call('GET', '/state')).body as unknown as StateView;
  expect(still.services.web!.targets.find((t) => t.id === 'web-1')).toMatchObject({
    healthy: false,
    pid: victim.pid,
    exited: 'SIGKILL',
  });

  await test.providers.remediation.restart({
    actionId: actionId('heal'),
    service: 'web',
    targets: ['web-1'],
  });
  const healed = (await call('GET', '/state')).body as unknown as StateView;
  const replaced = healed.services.web!.targets.find((t) => t.id === 'web-1')!;
  expect(replaced.healthy).toBe(true);
  expect(replaced.pid).not.toBe(victim.pid);
});

it('a leaking replica is killed at the memory limit and stays down until restarted', async () => {
  const reply = await call('POST', '/services/payments/faults', {
    actionId: actionId('leak'),
    scenario: 'memory-leak',
    target: 'payments-2',
  });
  expect(reply.body.action?.status).toBe('succeeded');
  const killed = await waitFor(
    'payments-2 OOM-killed',
    async () => {
      const state = (await call('GET', '/state')).body as unknown as StateView;
      const target = state.services.payments!.targets.find((t) => t.id === 'payments-2')!;
      return target.exited ? target : undefined;
    },
    60_000,
  );
  expect(killed).toMatchObject({ healthy: false, exited: expect.stringMatching(/^SIGKILL \(OOMKilled/) });

  await test.providers.remediation.restart({
    actionId: actionId('oom'),
    service: 'payments',
    targets: ['payments-2'],
  });
  const payments = await test.providers.remediation.describe('payments');
  expect(payments.targets.find((t) => t.id === 'payments-2')).toMatchObject({ healthy: true });
});

it('a restart of the control process keeps releases, weights, deployments and the ledger', async () => {
  const deployId = actionId('keep');
  const deployed = await call('POST', '/services/checkout/deploy', {
    actionId: deployId,
    release: 'v7',
    by: 'bob',
  });
  expect(deployed.body.action?.status).toBe('succeeded');
  const weightsId = actionId('keep-weights');
  await call('POST', '/services/payments/weights', {
    actionId: weightsId,
    weights: { primary: 70, standby: 30 },
  });
  const before = await desiredState();
  const deploymentsBefore = await test.providers.deploys.deployments('checkout', new Date(0));

  await test.restart();

  expect(await desiredState()).toEqual(before);
  const checkout = await test.providers.remediation.describe('checkout');
  expect(checkout.targets.map((t) => t.release)).toEqual(['v7', 'v7', 'v7']);
  await waitForMetric(test.providers, 'checkout', 'healthy_targets', (v) => v === 3, { seconds: 1 });
  expect((await test.providers.remediation.describe('payments')).weights).toEqual({
    primary: 70,
    standby: 30,
  });
  expect((await call('GET', `/actions/${deployId}`)).body.action).toMatchObject({ status: 'succeeded' });

  const again = await call('POST', '/services/checkout/deploy', {
    actionId: deployId,
    release: 'v7',
    by: 'bob',
  });
  expect(again.body).toMatchObject({ repeated: true, action: { id: deployId } });
  expect(await test.providers.deploys.deployments('checkout', new Date(0))).toEqual(deploymentsBefore);
});

it('replicas die with their control process, even when it is killed with SIGKILL', async () => {
  const orphanTest = await startTestFleet({ loadRps: 0, replicasPerService: 1 });
  try {
    const replicas = processesMentioning(orphanTest.stateDir);
    expect(replicas).toHaveLength(3);
    process.kill(orphanTest.fleet.pid, 'SIGKILL');
    await waitFor('replicas gone', async () => (replicas.some(isAlive) ? undefined : true), 10_000, 200);
  } finally {
    await orphanTest.fleet.stop();
    orphanTest.cleanUp();
  }
});

// Last: it stops the file's fleet, so no test (nor its reset) can come after it.
it('stopping the fleet leaves no process behind', async () => {
  const state = (await call('GET', '/state')).body as unknown as StateView;
  const pids = [test.fleet.pid, ...Object.values(state.services).flatMap((s) => s.targets.map((t) => t.pid))];
  expect(pids.every(isAlive)).toBe(true);
  expect(processesMentioning(test.stateDir).length).toBeGreaterThanOrEqual(9);

  await test.fleet.stop();
  expect(pids.filter(isAlive)).toEqual([]);
  expect(processesMentioning(test.stateDir)).toEqual([]);
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type RunningFleet } from '../../fleet/startFleet';
import { createLocalFleetProviders } from '../../providers/local';
import type { MetricSeries, Providers } from '../../providers/types';

/** A fleet for one test file: real processes on loopback, stopped (and its state dir removed) after. */
export interface TestFleet {
  fleet: RunningFleet;
  providers: Providers;
  stateDir: string;
  /** Removes the state dir; call after fleet.stop(). */
  cleanUp(): void;
}

export interface TestFleetOptions {
  loadRps?: number;
  replicasPerService?: number;
  stateDir?: string;
}

export async function startTestFleet(options: TestFleetOptions = {}): Promise<TestFleet> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'homeostat-fleet-'));
  const fleet = await startFleet({
    stateDir,
    controlPort: 0,
    loadRps: options.loadRps ?? 30,
    replicasPerService: options.replicasPerService ?? 3,
  });
  return {
    fleet,
    // The provider's default poll (500 ms) is what the worker process of
    // test/slow/productionDefaults.test.ts uses.
    providers: createLocalFleetProviders({ controlUrl: fleet.controlUrl, pollMs: 250 }),
    stateDir,
    cleanUp: () => rmSync(stateDir, { recursive: true, force: true }),
  };
}

/** The fleet of a test file, which a test may restart on the same state dir. */
export interface FileFleet extends TestFleet {
  /** Stops the fleet and starts it again on its state dir (what it must remember across a restart). */
  restart(): Promise<void>;
}

/**
 * One fleet for a test file, started before its first test (then `ready`, e.g. a wait for load or for
 * a baseline), reset to its initial state and calm before each test (resetTestFleet), and stopped, its
 * state dir removed, after its last. Its fields read the current fleet, so
 * they follow a `restart`; read before the first test they throw instead of handing out undefined.
 */
export function useTestFleet(
  options: TestFleetOptions = {},
  ready: (fleet: TestFleet) => Promise<unknown> = async () => undefined,
): FileFleet {
  let current: TestFleet | undefined;
  const get = (): TestFleet => {
    if (!current) throw new Error('the test fleet starts in beforeAll: use it inside a test or a hook');
    return current;
  };
  beforeAll(async () => {
    current = await startTestFleet(options);
    await ready(current);
  });
  // Every test starts from the fleet as it started, whatever the test before it broke or changed.
  beforeEach(() => resetTestFleet(get()));
  afterAll(async () => {
    await current?.fleet.stop();
    current?.cleanUp();
  });
  return {
    get fleet() {
      return get().fleet;
    },
    get providers() {
      return get().providers;
    },
    get stateDir() {
      return get().stateDir;
    },
    cleanUp: () => get().cleanUp(),
    restart: async () => {
      const { fleet, stateDir } = get();
      await fleet.stop();
      current = await startTestFleet({ ...options, stateDir });
    },
  };
}

/** A control-API reply: its status and JSON body. */
export interface ControlReply<T> {
  status: number;
  body: T;
}

/** Calls the fleet's control API directly; a string body is sent as it is (for malformed JSON). */
export async function callControl<T = unknown>(
  fleet: TestFleet,
  method: string,
  path: string,
  body?: unknown,
): Promise<ControlReply<T>> {
  const response = await fetch(`${fleet.fleet.controlUrl}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Injects a fault through the control API (a fresh action id) and expects the fleet to apply it. */
export async function injectFleetFault(
  fleet: TestFleet,
  service: string,
  scenario: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const reply = await callControl(fleet, 'POST', `/services/${service}/faults`, {
    actionId: actionId(scenario),
    scenario,
    ...extra,
  });
  expect(reply).toMatchObject({ status: 200, body: { action: { status: 'succeeded' } } });
}

const SERVICES = ['web', 'checkout', 'payments'] as const;

/**
 * Resets the fleet to its initial state (POST /reset: faults, releases, weights, replicas, caches, queue)
 * and waits until every service is calm, so a test does not see what the one before it left behind.
 */
export async function resetTestFleet(fleet: TestFleet): Promise<void> {
  const id = actionId('reset');
  const reply = await callControl<{ action: { status: string } }>(fleet, 'POST', '/reset?waitMs=20000', {
    actionId: id,
    by: 'test-reset',
  });
  expect(reply.status).toBeLessThan(300);
  const status = await waitFor(
    `reset ${id} done`,
    async () => {
      const { body } = await callControl<{ action: { status: string } }>(fleet, 'GET', `/actions/${id}`);
      return body.action.status === 'running' ? undefined : body.action.status;
    },
    90_000,
  );
  expect(status).toBe('succeeded');
  await Promise.all(SERVICES.map((service) => waitForCalm(fleet, service)));
}

/** Waits until `service` has served a few seconds without errors (what an earlier test left has passed). */
export async function waitForCalm(fleet: TestFleet, service: string): Promise<void> {
  await waitForMetric(fleet.providers, service, 'error_ratio', (v) => v < 0.05, { seconds: 3 });
}

/**
 * Waits until `service` has at least `seconds` of load in its series: the history a baseline compares
 * with. The history's length is the condition, so this waits on the state rather than sleeping.
 */
export async function waitForHistory(fleet: TestFleet, service: string, seconds: number): Promise<void> {
  await waitFor(`${seconds} s of ${service} history`, async () => {
    const to = new Date();
    const [series] = await fleet.providers.signals.series({
      service,
      metrics: ['request_rate'],
      from: new Date(to.getTime() - 5 * 60_000),
      to,
      stepSeconds: 1,
    });
    const served = (series?.points ?? []).filter(([, v]) => v > 0).length;
    return served >= seconds ? true : undefined;
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value that is not undefined; fails naming `what` and the last value. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what} (${String(last ?? 'no match')})`,
      );
    await sleep(everyMs);
  }
}

/**
 * The mean of a metric over the last `seconds`, read through the provider's `series` like the workflow
 * does; `labels` picks a slice (a release), the whole-service series when absent.
 */
export async function recentMean(
  providers: Providers,
  service: string,
  metric: string,
  seconds: number,
  labels: MetricSeries['labels'] = {},
): Promise<number | undefined> {
  const to = new Date();
  const series = await providers.signals.series({
    service,
    metrics: [metric],
    from: new Date(to.getTime() - seconds * 1000),
    to,
    stepSeconds: 1,
    byRelease: labels.release !== undefined,
    byTarget: labels.target !== undefined,
  });
  const match = series.find(
    (s) => s.metric === metric && JSON.stringify(s.labels) === JSON.stringify(labels),
  );
  if (!match || match.points.length === 0) return undefined;
  return match.points.reduce((sum, [, v]) => sum + v, 0) / match.points.length;
}

/** Waits until the mean of `metric` over the last `seconds` satisfies `ok`; returns that mean. */
export function waitForMetric(
  providers: Providers,
  service: string,
  metric: string,
  ok: (value: number) => boolean,
  opts: { seconds?: number; timeoutMs?: number; labels?: MetricSeries['labels'] } = {},
): Promise<number> {
  return waitFor(
    `${service} ${metric} ${JSON.stringify(opts.labels ?? {})}`,
    async () => {
      const value = await recentMean(providers, service, metric, opts.seconds ?? 3, opts.labels);
      if (value === undefined) return undefined;
      if (!ok(value)) throw new Error(`last mean ${value}`);
      return value;
    },
    opts.timeoutMs ?? 30_000,
  );
}

/** Pids of every process whose command line mentions `needle` (the state dir is in each replica's). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let counter = 0;
/** A fresh action id for this test run. */
export function actionId(label: string): string {
  return `test-${label}-${process.pid}-${Date.now()}-${++counter}`;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { ActivityDeps } from '../../activities';
import type { Alert } from '../../core/model/alert';
import type { IncidentReport, IncidentState } from '../../core/model/incidentState';
import type { Deployment } from '../../core/model/signals';
import { DEFAULT_CATALOG_PATH, loadCatalog } from '../../core/playbooks/catalog';
import type { Catalog } from '../../core/playbooks/schema';
import { FleetControlClient } from '../../providers/local/controlClient';
import { intake } from '../../triggers/intake';
import { PROJECT_ROOT } from '../../workers/temporalCli';
import { stateQuery } from '../../workflows/api';
import { TEST_ENV, testActivityDeps } from '../harness/env';
import {
  useTestFleet,
  waitFor,
  waitForCalm,
  waitForHistory,
  waitForMetric,
  type TestFleet,
} from '../fleet/fleetHarness';

export { waitForCalm };

/** The default catalog with bake times and windows cut to a few seconds, so an incident takes ~20 s. */
// The default catalog bakes 10 s a step and 5 s before the recovery check, with windows up to 8 s;
// test/slow/productionDefaults.test.ts runs incidents on it (npm run test:slow).
export function fastCatalog(): Catalog {
  const catalog = loadCatalog(DEFAULT_CATALOG_PATH);
  const fast = <T extends { bakeSeconds: number; windowSeconds: number }>(v: T): T => ({
    ...v,
    bakeSeconds: Math.min(v.bakeSeconds, 3),
    windowSeconds: Math.min(v.windowSeconds, 3),
  });
  return {
    ...catalog,
    playbooks: catalog.playbooks.map((p) => ({
      ...p,
      recovery: fast(p.recovery),
      stages: p.stages.map((s) => ({
        ...s,
        steps: s.steps.map((st) => ({ ...st, verify: fast(st.verify) })),
      })),
    })),
  };
}

/** The fast catalog as a file, for workers in child processes (HOMEOSTAT_PLAYBOOKS). */
export function fastCatalogFile(): string {
  const file = join(process.env[TEST_ENV.dir]!, 'fast-catalog.json');
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(fastCatalog()));
  return file;
}

// 10 s recent and 120 s baseline instead of the defaults (30 s, 600 s), which
// test/slow/productionDefaults.test.ts runs, on a fleet only seconds old (its baseline mostly empty).
export const INCIDENT_WINDOWS = { recentWindowSeconds: 10, baselineWindowSeconds: 120 } as const;

export function incidentDeps(fleet: TestFleet, overrides: Partial<ActivityDeps> = {}): Partial<ActivityDeps> {
  const base = testActivityDeps();
  return {
    providers: fleet.providers,
    catalog: fastCatalog(),
    incidents: { ...base.incidents, ...INCIDENT_WINDOWS },
    ...overrides,
  };
}

export function firingAlert(service: string, name = 'HighErrorRate'): Alert {
  return {
    source: 'monitor',
    fingerprint: `${service}-${name}-${randomUUID().slice(0, 8)}`,
    service,
    name,
    severity: 'high',
    status: 'firing',
    labels: { alertname: name, service, incident_scope: randomUUID().slice(0, 8) },
    annotations: {},
    startsAt: new Date().toISOString(),
  };
}

/** Opens an incident the way the webhook does, and returns its handle. */
export async function openIncident(client: Client, taskQueue: string, alert: Alert): Promise<WorkflowHandle> {
  const [result] = await intake([alert], { client, taskQueue });
  return client.workflow.getHandle(result!.workflowId);
}

/** The fleet's own control-API client (errors become ProviderErrors with the API's message). */
const control = (fleet: TestFleet): FleetControlClient => new FleetControlClient(fleet.fleet.controlUrl);

export async function injectFault(
  fleet: TestFleet,
  service: string,
  scenario: string,
  by = 'ci',
): Promise<void> {
  await control(fleet).post(`/services/${service}/faults?waitMs=20000`, {
    actionId: `test-fault-${randomUUID()}`,
    scenario,
    by,
  });
}

/** Ends an injected fault without healing it (a traffic surge that stops, say). */
export async function clearFault(fleet: TestFleet, service: string, scenario: string): Promise<void> {
  await control(fleet).post(`/services/${service}/faults/clear?waitMs=20000`, {
    actionId: `test-clear-${randomUUID()}`,
    scenario,
  });
}

/** Waits until checkout's errors are unmistakable: an incident opened now has something to diagnose. */
export async function checkoutErring(fleet: TestFleet): Promise<void> {
  await waitForMetric(fleet.providers, 'checkout', 'error_ratio', (v) => v > 0.2);
}

/** A bad release of checkout (deployed by `ci`), and then its errors: the start of most incident tests. */
export async function injectBadRelease(fleet: TestFleet): Promise<void> {
  await injectFault(fleet, 'checkout', 'bad-release');
  await checkoutErring(fleet);
}

export async function deployByHand(
  fleet: TestFleet,
  service: string,
  release: string,
  by: string,
): Promise<void> {
  await control(fleet).post(`/services/${service}/deploy?waitMs=20000`, {
    actionId: `test-deploy-${randomUUID()}`,
    release,
    by,
  });
}

export interface LedgerEntry {
  id: string;
  kind: string;
  status: string;
  at?: string;
  startedAt?: string;
}

/** What the incident's action ids start with (the workflow cuts the workflow id to 60 characters). */
export function actionPrefix(handle: WorkflowHandle): string {
  return handle.workflowId.slice(0, 60);
}

/** The fleet's action ledger entries whose id starts with `prefix`, oldest first. */
export async function ledger(fleet: TestFleet, prefix: string): Promise<LedgerEntry[]> {
  const { actions } = await control(fleet).get<{ actions: LedgerEntry[] }>('/actions?limit=1000');
  return actions.filter((a) => a.id.startsWith(prefix));
}

/** Deploys of `service` that Homeostat made (its actions deploy as `homeostat:<actionId>`). */
export async function ourDeploys(fleet: TestFleet, service: string): Promise<Deployment[]> {
  return (await fleet.providers.deploys.deployments(service, new Date(0))).filter((d) =>
    d.by?.startsWith('homeostat:'),
  );
}

/**
 * The two-step rollback reached the fleet once per step, whatever was retried: the ledger holds exactly
 * the report's actions under the incident's prefix, and the fleet deployed twice for us.
 */
export async function expectEachActionOnce(
  fleet: TestFleet,
  prefix: string,
  report: IncidentReport,
): Promise<void> {
  const entries = await ledger(fleet, prefix);
  expect(entries.map((e) => e.id).sort()).toEqual(report.steps.map((s) => s.actionId).sort());
  expect(await ourDeploys(fleet, 'checkout')).toHaveLength(2);
}

/**
 * Checkout's two-step rollback, undone: each forward action once in order, then each undo once in reverse,
 * and every target back on the release the incident found (`bad`). (The next test's fleet reset puts
 * checkout back on v1.)
 */
export async function expectRollbackUndone(fleet: TestFleet, prefix: string, bad: string): Promise<void> {
  const ids = (await ledger(fleet, prefix)).map((e) => e.id.replace(/^.*\/p1\//, ''));
  expect(ids).toEqual([
    'canary.rollback-canary',
    'fleet.rollback-rest',
    'fleet.rollback-rest/undo0',
    'canary.rollback-canary/undo0',
  ]);
  const after = await fleet.providers.remediation.describe('checkout');
  expect(after.targets.every((t) => t.release === bad)).toBe(true);
}

export async function state(handle: WorkflowHandle): Promise<IncidentState> {
  return await handle.query(stateQuery);
}

/** Waits until the incident's state satisfies `ok` (queried every 250 ms). */
export async function waitForState(
  handle: WorkflowHandle,
  what: string,
  ok: (s: IncidentState) => boolean,
  timeoutMs = 90_000,
): Promise<IncidentState> {
  let last: IncidentState | undefined;
  try {
    return await waitFor(
      `incident ${handle.workflowId}: ${what}`,
      async () => {
        last = await state(handle);
        return ok(last) ? last : undefined;
      },
      timeoutMs,
      250,
    );
  } catch (err) {
    // Say where the incident went instead, so a failure explains itself.
    const where = last
      ? `phase ${last.phase}; diagnosis ${last.diagnosis?.failureClass ?? '-'} (${last.diagnosis?.summary ?? '-'}); ` +
        `findings ${JSON.stringify(last.diagnosis?.findings ?? [])}; ` +
        `evidence ${JSON.stringify(last.evidence ?? null)}; ` +
        `plan ${last.plan?.playbook ?? '-'}; last: ${last.timeline.at(-1)?.event ?? '-'}`
      : 'no state';
    throw new Error(`${(err as Error).message} [${where}]`, { cause: err });
  }
}

/** Names of the activities the server sees as started but not finished (a dead worker's activity among them). */
export async function pendingActivities(handle: WorkflowHandle): Promise<string[]> {
  const d = await handle.describe();
  return (d.raw.pendingActivities ?? []).map((a) => a.activityType?.name ?? '?');
}

/**
 * A Homeostat worker in a process of its own, so a test can SIGKILL it like a crashed host: `npm run
 * worker` (workers/workerMain.ts) unless `script` names another entry point. It dies with the test
 * process (parent-death signal) where setpriv exists.
 */
export function startWorkerProcess(
  env: Record<string, string>,
  script = 'workers/workerMain.ts',
): ChildProcess & { output: () => string } {
  const setpriv = '/usr/bin/setpriv';
  const args = ['--import', 'tsx', join(PROJECT_ROOT, script)];
  const child = existsSync(setpriv)
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, ...args], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...env },
      })
    : spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return Object.assign(child, { output: () => out });
}

export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/**
 * One local fleet for a test file, started before its first test with a healthy baseline behind it
 * (diagnosis compares with the past), reset to its initial state and calm before each test, and stopped
 * after its last. Returns a getter for the fleet.
 */
export function useFleet(): () => TestFleet {
  // 8 s of served load on checkout: enough healthy history for the first incident's baseline.
  // (test/slow/productionDefaults.test.ts shows diagnosis also works when the default 600 s baseline
  // window holds only seconds of history.)
  const fleet = useTestFleet({ loadRps: 30 }, (f) => waitForHistory(f, 'checkout', 8));
  return () => fleet;
}

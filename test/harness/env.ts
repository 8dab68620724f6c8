import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { actionTimeoutsFor } from '../../activities/deps';
import { loadCatalog } from '../../core/playbooks/catalog';
import { createHomeostatWorker } from '../../workers/worker';

export const TEST_ENV = {
  address: 'HOMEOSTAT_TEST_TEMPORAL_ADDRESS',
  bundle: 'HOMEOSTAT_TEST_WORKFLOW_BUNDLE',
  dir: 'HOMEOSTAT_TEST_DIR',
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run tests through jest (its global setup starts the server)`);
  return value;
}

export const testServerAddress = (): string => required(TEST_ENV.address);
export const testWorkflowBundle = (): { codePath: string } => ({ codePath: required(TEST_ENV.bundle) });

export interface TestContext {
  client: Client;
  taskQueue: string;
  worker: Worker;
}

/**
 * Runs `fn` with a client and a running Homeostat worker on a fresh task queue of the shared server.
 * The worker and both connections are shut down however `fn` ends, so no test leaks them.
 */
export async function withWorker<T>(
  fn: (ctx: TestContext) => Promise<T>,
  opts: { address?: string; taskQueue?: string; deps?: Partial<ActivityDeps> } = {},
): Promise<T> {
  const address = opts.address ?? testServerAddress();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  try {
    const taskQueue = opts.taskQueue ?? `test-${randomUUID()}`;
    const client = new Client({ connection, namespace: 'default' });
    const worker = await createHomeostatWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: testWorkflowBundle(),
      // No grace: a test's worker stops at once. The default 10 s grace, with an action in flight at the
      // SIGTERM, runs in test/slow/productionDefaults.test.ts (`npm run test:slow`).
      shutdownGraceSeconds: 0,
      activityDeps: testActivityDeps({ client, ...opts.deps }),
    });

    return await worker.runUntil(fn({ client, taskQueue, worker }));
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
}

/**
 * Activity dependencies for tests: the default catalog, quick triage, no approvers unless given. With
 * providers, the action timeouts are derived from them as the worker does (activityDepsFromConfig).
 */
export function testActivityDeps(overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  return {
    ...(overrides.providers ? { actionTimeouts: actionTimeoutsFor(overrides.providers) } : {}),
    catalog: loadCatalog(),
    // Cut timings, so an incident takes seconds (the defaults: approval 900 s, triage 5 s, windows 30 s
    // and 600 s). test/slow/productionDefaults.test.ts runs a bad release and an approval incident on a
    // worker that keeps every default (`npm run test:slow`).
    incidents: {
      approvalTimeoutSeconds: 60,
      triageSeconds: 0,
      recentWindowSeconds: 10,
      baselineWindowSeconds: 120,
      dryRun: false,
    },
    approvers: [],
    recordDir: `${required(TEST_ENV.dir)}/incidents`,
    ...overrides,
  };
}

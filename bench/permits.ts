import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { updateGovernor } from '../client/governor';
import { governorWorkflowId } from '../core/model/governor';
import { DEFAULT_SAFETY_LIMITS, type SafetyLimits } from '../core/model/permits';
import { loadCatalog } from '../core/playbooks/catalog';
import { createHomeostatWorker } from '../workers/worker';
import { governorQuery, requestPermitUpdate } from '../workflows/governorApi';
import { startBenchServer } from './benchServer';
import { measure } from './measure';

/**
 * Can one governor workflow serve a storm of incidents? Loopback only, on a dev server of its own (temp
 * SQLite file, removed after) with a Homeostat worker:
 *  - baseline: reads of the governor's state (the query every paused-check makes), N with C in flight;
 *  - measured: permit requests (an update each, decided and recorded by the governor), N with C in
 *    flight from N/4 incidents over 20 services — the cost a step pays before it acts.
 * Prints both and their ratio; then checks the governor counted every grant once.
 * Usage: node --import tsx bench/permits.ts [requests=1000] [concurrency=16]
 */

const REQUESTS = Number(process.argv[2] ?? 1_000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const SERVICES = 20;
const WARM_UP = 100;
// Limits high enough that every request is granted: the bench measures the path, not the refusals.
// The warm-up's permits count against them too (with fewer requests than that, all were refused).
const LIMITS: SafetyLimits = {
  ...DEFAULT_SAFETY_LIMITS,
  maxActionsPerServicePerHour: REQUESTS + WARM_UP,
  maxActionsPerHour: (REQUESTS + WARM_UP) * 2,
  maxConcurrentServices: SERVICES,
};

const log = (msg: string): void => console.log(msg);

async function main(): Promise<void> {
  const server = await startBenchServer();
  const native = await NativeConnection.connect({ address: server.address });
  try {
    const client = server.client;
    const taskQueue = 'bench-permits';
    const worker = await createHomeostatWorker({
      connection: native,
      namespace: 'default',
      taskQueue,
      shutdownGraceSeconds: 0,
      activityDeps: {
        client,
        catalog: loadCatalog(),
        incidents: {
          approvalTimeoutSeconds: 60,
          triageSeconds: 0,
          recentWindowSeconds: 30,
          baselineWindowSeconds: 600,
          dryRun: false,
        },
        approvers: [],
        recordDir: join(server.dir, 'incidents'),
      },
    });
    await worker.runUntil(async () => {
      const governor = client.workflow.getHandle(governorWorkflowId(taskQueue));
      // The activities' own path to the governor.
      const permit = (run: string, i: number) =>
        updateGovernor(client, taskQueue, requestPermitUpdate, {
          permitId: `${run}-incident-${Math.floor(i / 4)}/step-${i % 4}`,
          incidentId: `${run}-incident-${Math.floor(i / 4)}`,
          service: `svc-${i % SERVICES}`,
          stepId: `step-${i % 4}`,
          limits: LIMITS,
        });
      log(`Temporal dev server ${server.address}; ${REQUESTS} requests, ${CONCURRENCY} in flight`);

      // Warm up both paths (the governor exists, the worker has its workflow cached).
      await measure(WARM_UP, CONCURRENCY, async (i) => void (await permit('warm', i)));
      await measure(WARM_UP, CONCURRENCY, async () => void (await governor.query(governorQuery)));

      const reads = await measure(
        REQUESTS,
        CONCURRENCY,
        async () => void (await governor.query(governorQuery)),
      );
      let denied = 0;
      const permits = await measure(REQUESTS, CONCURRENCY, async (i) => {
        if ((await permit('run', i)).verdict !== 'granted') denied++;
      });
      log(
        `baseline  governor state query: ${reads.perSecond.toFixed(0)}/s, p50 ${reads.p50.toFixed(1)} ms, p99 ${reads.p99.toFixed(1)} ms`,
      );
      log(
        `measured  permit request (update): ${permits.perSecond.toFixed(0)}/s, p50 ${permits.p50.toFixed(1)} ms, p99 ${permits.p99.toFixed(1)} ms`,
      );
      log(
        `ratio     permit / query: throughput ${(permits.perSecond / reads.perSecond).toFixed(2)}×, p50 latency ${(permits.p50 / reads.p50).toFixed(2)}×`,
      );

      const state = await governor.query(governorQuery);
      const counted = state.permits?.actions.filter((a) => a.permitId.startsWith('run-')).length ?? 0;
      log(`check     ${counted} grants recorded for ${REQUESTS} requests; ${denied} refused`);
      if (denied > 0 || counted !== REQUESTS) throw new Error('the governor lost or refused permits');
      const history = (await governor.describe()).historyLength;
      log(`          governor history: ${history} events (it continues as new when the server suggests)`);
    });
  } finally {
    await native.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../core/model/config';
import { createConfiguredWorker } from '../../workers/configuredWorker';
import { CRASH_AT_ENV, crashAtInterceptor, WORKFLOW_BUNDLE_ENV, type CrashAt } from './crashAt';

/**
 * The worker of workers/workerMain.ts (same configuration, activities and workflows), plus one activity
 * interceptor that stops at each point HOMEOSTAT_TEST_CRASH_AT lists, so a test can SIGKILL it there.
 */
async function main(): Promise<void> {
  const cfg = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const crashAt = process.env[CRASH_AT_ENV];
  // The bundle the test run built once: a worker that starts after a kill is polling within seconds.
  const bundle = process.env[WORKFLOW_BUNDLE_ENV];
  const { worker } = await createConfiguredWorker(cfg, {
    ...(bundle ? { workflowBundle: { codePath: bundle } } : {}),
    ...(crashAt
      ? { interceptors: { activity: [crashAtInterceptor(JSON.parse(crashAt) as CrashAt[])] } }
      : {}),
  });
  console.log(`[crash-worker] polling ${cfg.worker.taskQueue}; stops at ${crashAt ?? 'nothing'}`);
  await worker.run();
}

main().catch((err: unknown) => {
  console.error(`[crash-worker] failed: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
});

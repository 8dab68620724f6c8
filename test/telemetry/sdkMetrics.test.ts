import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startWebhookServer } from '../../triggers/server';
import { freePort } from '../../workers/ports';
import { metricsUrl } from '../../workers/telemetry';
import { stackSelfCheck } from '../../workflows/selfCheck';
import { TEST_ENV, testServerAddress } from '../harness/env';
import { killHard, startWorkerProcess } from '../incident/harness';
import { eventually } from '../triggers/helpers';

/**
 * The Temporal SDK's worker metrics: a standalone worker (`npm run worker`, in a process of its own, since
 * the Runtime that serves them is installed once per process) serves them where
 * HOMEOSTAT_METRICS_BIND_ADDRESS says, and the webhook's /metrics carries them after Homeostat's own.
 */
describe('Temporal SDK metrics', () => {
  it("are served by a standalone worker and appended to the webhook's /metrics", async () => {
    const taskQueue = `telemetry-${randomUUID()}`;
    const bind = `127.0.0.1:${await freePort()}`;
    const worker = startWorkerProcess({
      TEMPORAL_ADDRESS: testServerAddress(),
      HOMEOSTAT_TASK_QUEUE: taskQueue,
      HOMEOSTAT_STATE_DIR: process.env[TEST_ENV.dir]!,
      HOMEOSTAT_SHUTDOWN_GRACE_SECONDS: '0',
      HOMEOSTAT_METRICS_BIND_ADDRESS: bind,
      HOMEOSTAT_LOG_FORMAT: 'json',
    });
    const connection = await Connection.connect({ address: testServerAddress() });
    try {
      const client = new Client({ connection, namespace: 'default' });
      // The worker's start-up line is JSON on stderr and names where its metrics are.
      const started = await eventually(
        async () =>
          worker
            .output()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .find((r) => String(r.msg).startsWith('worker polling')),
        60_000,
      );
      expect(started).toMatchObject({
        level: 'info',
        component: 'worker',
        taskQueue,
        sdkMetricsUrl: metricsUrl(bind),
      });

      // A workflow and an activity through the worker, so its task metrics have samples.
      await client.workflow.execute(stackSelfCheck, {
        taskQueue,
        workflowId: `telemetry-self-check-${randomUUID()}`,
        workflowExecutionTimeout: '1 minute',
      });

      const server = await startWebhookServer({
        client,
        taskQueue,
        config: { host: '127.0.0.1', port: 0 },
        log: () => undefined,
        sdkMetricsUrl: metricsUrl(bind),
      });
      try {
        const text = await eventually(async () => {
          const body = await (await fetch(`${server.url}/metrics`)).text();
          return /^temporal_workflow_completed\{[^}]*task_queue="/m.test(body) ? body : undefined;
        });
        expect(text).toMatch(/^# HELP homeostat_webhook_requests_total /m);
        expect(text).toContain(`task_queue="${taskQueue}"`);
        expect(text).toMatch(/^temporal_activity_execution_latency\w*\{/m);
        expect(text).not.toContain('Temporal SDK metrics unavailable');
      } finally {
        await server.close();
      }

      // The SDK's endpoint gone, a scrape still answers, with Homeostat's series and a comment why.
      await killHard(worker);
      const down = await startWebhookServer({
        client,
        taskQueue,
        config: { host: '127.0.0.1', port: 0 },
        log: () => undefined,
        sdkMetricsUrl: metricsUrl(bind),
      });
      try {
        const res = await fetch(`${down.url}/metrics`);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(body).toMatch(/^# HELP homeostat_webhook_requests_total /m);
        expect(body).toContain(`# Temporal SDK metrics unavailable: ${metricsUrl(bind)}`);
        expect(body).not.toMatch(/^temporal_/m);
      } finally {
        await down.close();
      }
    } finally {
      await killHard(worker);
      await connection.close();
    }
  });
});

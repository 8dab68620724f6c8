import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client, Connection } from '@temporalio/client';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { IncidentReport } from '../../core/model/incidentState';
import { telemetryConfigSchema } from '../../core/model/telemetryConfig';
import { startWebhookServer, type RunningWebhookServer } from '../../triggers/server';
import { startTracing, WORKFLOW_TRACING_MODULE, type Tracing } from '../../workers/telemetryTracing';
import { createHomeostatWorker, WORKFLOWS_PATH } from '../../workers/worker';
import { testActivityDeps, testServerAddress, testWorkflowBundle } from '../harness/env';
import { HISTORIES_DIR } from '../harness/histories';
import { waitForState } from '../incident/harness';

const TOKEN = 'alertmanager-token-0123456789abcdef';

/** An Alertmanager delivery of one alert about `service`. */
function delivery(service: string, status: 'firing' | 'resolved'): string {
  return JSON.stringify({
    version: '4',
    status,
    receiver: 'homeostat',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts: [
      {
        status,
        labels: { alertname: 'HighErrorRate', service, severity: 'page' },
        annotations: {},
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus/graph',
        fingerprint: `fp-${service}`,
      },
    ],
  });
}

async function post(server: RunningWebhookServer, body: string): Promise<string> {
  const res = await fetch(`${server.url}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body,
  });
  expect(res.status).toBe(202);
  const json = (await res.json()) as { incidents: Array<{ id: string }> };
  return json.incidents[0]!.id;
}

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

/**
 * One trace from the webhook to the incident's last activity, with the in-memory exporter in place of
 * OTLP. The workflow bundle carries the OpenTelemetry workflow interceptors only when tracing is on
 * (production: Worker.create bundles with them), so this file bundles its own.
 */
describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    bundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
      logger: quiet,
    });
  });

  /** A webhook (its client with tracing's interceptors when on) and, when `tracing`, a traced worker. */
  async function withTracedStack<T>(
    tracing: Tracing | undefined,
    fn: (server: RunningWebhookServer, client: Client) => Promise<T>,
  ): Promise<T> {
    const connection = await Connection.connect({ address: testServerAddress() });
    const native = await NativeConnection.connect({ address: testServerAddress() });
    try {
      const client = new Client({
        connection,
        namespace: 'default',
        ...(tracing ? { interceptors: tracing.clientInterceptors } : {}),
      });
      const taskQueue = `tracing-${randomUUID()}`;
      const worker = await createHomeostatWorker({
        connection: native,
        namespace: 'default',
        taskQueue,
        // Tracing off is the plain bundle, as in production (Worker.create bundles the module only when on).
        workflowBundle: tracing ? bundle : testWorkflowBundle(),
        shutdownGraceSeconds: 0,
        activityDeps: testActivityDeps({
          client,
          incidents: { ...testActivityDeps().incidents, triageSeconds: 5 },
        }),
        ...(tracing ? { tracing: tracing.worker } : {}),
      });
      const server = await startWebhookServer({
        client,
        taskQueue,
        config: { host: '127.0.0.1', port: 0, alertmanager: { token: TOKEN } },
        log: () => undefined,
      });
      try {
        return await worker.runUntil(fn(server, client));
      } finally {
        await server.close();
      }
    } finally {
      await native.close();
      await connection.close();
    }
  }

  /** Firing, then resolved during triage: a noise incident (loadPolicy … recordOutcome). */
  async function noiseIncident(server: RunningWebhookServer, client: Client): Promise<IncidentReport> {
    const service = `traced-${randomUUID().slice(0, 8)}`;
    const workflowId = await post(server, delivery(service, 'firing'));
    const handle = client.workflow.getHandle(workflowId);
    await waitForState(handle, 'the alert', (s) => s.alertsSeen === 1, 30_000);
    await post(server, delivery(service, 'resolved'));
    return (await handle.result()) as IncidentReport;
  }

  it('is off by default: no provider is installed and no span is made', async () => {
    const cfg = telemetryConfigSchema.parse({});
    expect(cfg.tracing.enabled).toBe(false);
    expect(startTracing(cfg.tracing, { spanProcessor: new SimpleSpanProcessor(exporter) })).toBeUndefined();
    const report = await withTracedStack(undefined, noiseIncident);
    expect(report.outcome).toBe('noise');
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });

  it('follows a webhook delivery through the incident workflow to its last activity in one trace', async () => {
    const tracing = startTracing(telemetryConfigSchema.parse({ tracing: { enabled: 'true' } }).tracing, {
      spanProcessor: new SimpleSpanProcessor(exporter),
    })!;
    let spans: ReadableSpan[];
    try {
      const report = await withTracedStack(tracing, noiseIncident);
      expect(report.outcome).toBe('noise');
      spans = exporter.getFinishedSpans(); // before shutdown, which empties the in-memory exporter
    } finally {
      await tracing.shutdown();
    }
    const intake = spans.filter((s) => s.name === 'homeostat.intake');
    expect(intake).toHaveLength(2); // the firing delivery and the resolution
    const traceId = intake[0]!.spanContext().traceId;
    const inTrace = (name: string): ReadableSpan[] =>
      spans.filter((s) => s.name === name && s.spanContext().traceId === traceId);

    expect(intake[0]!.parentSpanId).toBeUndefined(); // the root
    expect(inTrace('SignalWithStartWorkflow:incidentWorkflow')).toHaveLength(1);
    expect(inTrace('RunWorkflow:incidentWorkflow')).toHaveLength(1);
    expect(inTrace('StartActivity:loadPolicy')).toHaveLength(1);
    expect(inTrace('RunActivity:loadPolicy')).toHaveLength(1);
    // The incident's last activity is in the same trace as the delivery that opened it.
    expect(inTrace('RunActivity:recordOutcome')).toHaveLength(1);
    // Nothing of it leaked into another trace.
    expect(
      spans
        .filter((s) => s.name.startsWith('RunActivity:'))
        .every((s) => s.spanContext().traceId === traceId),
    ).toBe(true);
    // Off again after shutdown: the global tracer is a no-op once more.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });

  it('leaves every recorded history replaying on a bundle with the tracing interceptors', async () => {
    const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
    const histories = files.map((f) => ({
      workflowId: `replay-traced-${f}`,
      history: JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8')) as unknown,
    }));
    // The span sink as a traced worker has it (a replay calls no sink, but the bundle names it).
    const sinks = {
      exporter: makeWorkflowExporter(new SimpleSpanProcessor(new InMemorySpanExporter()), new Resource({})),
    };
    const results = Worker.runReplayHistories({ workflowBundle: bundle, sinks }, histories);
    for await (const result of results) expect(result.error).toBeUndefined();
  });
});

import { Agent, request } from 'node:http';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { incidentWorkflowId } from '../core/model/alert';
import { INCIDENT_WORKFLOW_TYPE, type AlertBatch, type IncidentInput } from '../core/model/incident';
import { startWebhookServer } from '../triggers/server';
import { alertSignal } from '../workflows/api';
import { SA_PHASE, SA_SERVICE, SA_SEVERITY } from '../workflows/searchAttributes';
import { startBenchServer } from './benchServer';
import { measure, type RunFigures } from './measure';

/**
 * Intake benchmark, loopback only, on a dev server of its own (temp SQLite file, removed after):
 *  1. throughput and p50/p99 latency of one alert per HTTP request to its 202 (= Temporal's ack), against
 *     the raw client's signalWithStart with the same options, same server, same run (ratio printed);
 *  2. an alert storm: 10,000 alerts over 100 services (10 per request, grouped by service as Alertmanager
 *     does) end in exactly 100 incident workflows with every alert in some signal (counted from the histories).
 * No worker runs: signalWithStart creates the workflows, which is all intake depends on.
 * Usage: node --import tsx bench/intake.ts [requests=2000] [concurrency=32]
 */

const REQUESTS = Number(process.argv[2] ?? 2_000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const SERVICES = 100;
const STORM_ALERTS = 10_000;
const STORM_ALERTS_PER_REQUEST = 10;
const TOKEN = 'bench-alertmanager-token-0123456789';

const log = (msg: string): void => console.log(msg);

function alertmanagerBody(alerts: { service: string; fingerprint: string }[]): string {
  const startsAt = new Date().toISOString();
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'homeostat',
    groupKey: '{}:{}',
    alerts: alerts.map((a) => ({
      status: 'firing',
      labels: { alertname: 'HighErrorRate', service: a.service, severity: 'critical' },
      annotations: {},
      startsAt,
      fingerprint: a.fingerprint,
    })),
  });
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${TOKEN}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts like a real sender: a 503 is retried after a pause; anything else but 202 is a bench failure. */
async function deliver(agent: Agent, url: URL, body: string, retries: { count: number }): Promise<void> {
  for (;;) {
    const status = await post(agent, url, body);
    if (status === 202) return;
    if (status !== 503) throw new Error(`webhook answered ${status}`);
    if (++retries.count > 1_000) throw new Error('more than 1,000 retries: is Temporal down?');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function rawSignalWithStart(
  client: Client,
  taskQueue: string,
  service: string,
  fingerprint: string,
): Promise<void> {
  const now = new Date().toISOString();
  const input: IncidentInput = {
    key: service,
    service,
    severity: 'critical',
    title: `HighErrorRate on ${service}`,
    openedAt: now,
  };
  const batch: AlertBatch = {
    receivedAt: now,
    alerts: [
      {
        source: 'alertmanager',
        fingerprint,
        service,
        name: 'HighErrorRate',
        severity: 'critical',
        status: 'firing',
        labels: { alertname: 'HighErrorRate', service, severity: 'critical' },
        annotations: {},
        startsAt: now,
      },
    ],
  };
  await client.workflow.signalWithStart(INCIDENT_WORKFLOW_TYPE, {
    workflowId: incidentWorkflowId(service),
    taskQueue,
    args: [input],
    signal: alertSignal,
    signalArgs: [batch],
    typedSearchAttributes: [
      { key: SA_SERVICE, value: service },
      { key: SA_SEVERITY, value: 'critical' },
      { key: SA_PHASE, value: 'triage' },
    ],
    staticSummary: `CRITICAL: HighErrorRate on ${service}`,
  });
}

async function main(): Promise<void> {
  const bench = await startBenchServer();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const client = bench.client;
    const taskQueue = 'bench-intake';
    const webhook = await startWebhookServer({
      client,
      taskQueue,
      config: { port: 0, alertmanager: { token: TOKEN } },
      log: () => undefined,
    });
    const url = new URL(`${webhook.url}/alerts/alertmanager`);
    const retries = { count: 0 };
    try {
      log(
        `Temporal dev server ${bench.address}; webhook ${webhook.url}; ${REQUESTS} requests, ${CONCURRENCY} in flight, ${SERVICES} services`,
      );
      const service = (run: string, i: number): string => `${run}-${i % SERVICES}`;

      // Warm up both paths (connections, JIT, the server's caches) before measuring.
      await measure(200, CONCURRENCY, (i) =>
        rawSignalWithStart(client, taskQueue, service('warm-raw', i), `w${i}`),
      );
      await measure(200, CONCURRENCY, (i) =>
        deliver(
          agent,
          url,
          alertmanagerBody([{ service: service('warm-http', i), fingerprint: `w${i}` }]),
          retries,
        ),
      );

      // Alternate the two paths so drift in the server (SQLite growing) hits both alike.
      const raw: RunFigures[] = [];
      const http: RunFigures[] = [];
      for (const round of [1, 2]) {
        raw.push(
          await measure(REQUESTS, CONCURRENCY, (i) =>
            rawSignalWithStart(client, taskQueue, service(`raw${round}`, i), `r${i}`),
          ),
        );
        http.push(
          await measure(REQUESTS, CONCURRENCY, (i) =>
            deliver(
              agent,
              url,
              alertmanagerBody([{ service: service(`http${round}`, i), fingerprint: `h${i}` }]),
              retries,
            ),
          ),
        );
      }
      const fmt = (f: RunFigures): string =>
        `${f.perSecond.toFixed(0)}/s  p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms`;
      raw.forEach((f, i) => log(`raw signalWithStart     round ${i + 1}: ${fmt(f)}`));
      http.forEach((f, i) => log(`HTTP → 202 (Temporal ack) round ${i + 1}: ${fmt(f)}`));
      const mean = (fs: RunFigures[]): number => fs.reduce((s, f) => s + f.perSecond, 0) / fs.length;
      log(`throughput ratio HTTP / raw: ${(mean(http) / mean(raw)).toFixed(2)} (aim ≥ 0.8)`);

      // The storm: 10,000 alerts, 10 per request, spread over 100 services, each alert unique.
      const stormQueue = 'bench-storm';
      const stormHook = await startWebhookServer({
        client,
        taskQueue: stormQueue,
        config: { port: 0, alertmanager: { token: TOKEN } },
        log: () => undefined,
      });
      const stormUrl = new URL(`${stormHook.url}/alerts/alertmanager`);
      const stormRetries = { count: 0 };
      const requests = STORM_ALERTS / STORM_ALERTS_PER_REQUEST;
      let stormFigures: RunFigures;
      try {
        stormFigures = await measure(requests, CONCURRENCY, (r) => {
          // As Alertmanager groups by service: each request carries 10 alerts (distinct series) of one service.
          const alerts = Array.from({ length: STORM_ALERTS_PER_REQUEST }, (_, k) => ({
            service: `storm-${r % SERVICES}`,
            fingerprint: `storm-alert-${r * STORM_ALERTS_PER_REQUEST + k}`,
          }));
          return deliver(agent, stormUrl, alertmanagerBody(alerts), stormRetries);
        });
      } finally {
        await stormHook.close();
      }
      const fingerprints = new Set<string>();
      let signals = 0;
      let alertsInSignals = 0;
      let workflows = 0;
      for (let s = 0; s < SERVICES; s++) {
        const history = await client.workflow.getHandle(incidentWorkflowId(`storm-${s}`)).fetchHistory();
        workflows++;
        for (const event of history.events ?? []) {
          const attrs = event.workflowExecutionSignaledEventAttributes;
          if (!attrs || attrs.signalName !== 'alert') continue;
          signals++;
          const batch = defaultPayloadConverter.fromPayload<AlertBatch>(attrs.input!.payloads![0]!);
          alertsInSignals += batch.alerts.length;
          for (const a of batch.alerts) fingerprints.add(a.fingerprint);
        }
      }
      const { count: listed } = await client.workflow.count(
        `WorkflowType="${INCIDENT_WORKFLOW_TYPE}" AND TaskQueue="${stormQueue}"`,
      );
      log(
        `storm: ${STORM_ALERTS} alerts in ${requests} requests → ${stormFigures.perSecond.toFixed(0)} requests/s ` +
          `(${(stormFigures.perSecond * STORM_ALERTS_PER_REQUEST).toFixed(0)} alerts/s), p50 ${stormFigures.p50.toFixed(1)} ms, p99 ${stormFigures.p99.toFixed(1)} ms`,
      );
      log(
        `storm: ${workflows} incident histories read, ${listed} incident workflows listed on the queue, ${signals} signal events, ` +
          `${alertsInSignals} alerts in signals, ${fingerprints.size} distinct alerts, ${stormRetries.count + retries.count} retried requests (503)`,
      );
      const lost = STORM_ALERTS - fingerprints.size;
      log(
        lost === 0 && listed === SERVICES
          ? 'storm: OK, exactly 100 incidents, no alert lost'
          : `storm: FAILED (${lost} alerts lost, ${listed} workflows)`,
      );
      if (lost !== 0 || listed !== SERVICES) process.exitCode = 1;
    } finally {
      await webhook.close();
    }
  } finally {
    agent.destroy();
    await bench.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

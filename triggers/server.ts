import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { createOperator } from '../client/operator';
import {
  webhookConfigSchema,
  type WebhookConfig,
  type WebhookConfigInput,
} from '../core/model/webhookConfig';
import type { HttpGet } from './auth/snsSignature';
import { DeliveryDeduper } from './deliveryDeduper';
import { HttpError } from './http/errors';
import { sendError } from './http/respond';
import type { IntakeResult } from './intake';
import { INCIDENT_WORKFLOW_TYPE } from '../core/model/incident';
import { lineLog, type Log } from '../core/model/logger';
import { WebhookMetrics } from './metrics';
import { recentClosedIncidents } from '../client/stats/read';
import { handleAlertDelivery } from './routes/alerts';
import { handleHealthz, handleMetrics, handleReadyz } from './routes/health';
import { handleOperator } from './routes/operator';
import { handleSafety } from './routes/safety';
import { handleSilences } from './routes/silences';
import { handleMetricsWithSdk, sdkMetricsReader } from './sdkMetrics';
import { alertmanagerSource } from './sources/alertmanager';
import { cloudwatchSource } from './sources/cloudwatch';
import { genericSource } from './sources/generic';
import { grafanaSource } from './sources/grafana';
import { pagerdutySource } from './sources/pagerduty';
import type { WebhookSource } from './sources/types';

export interface WebhookServerOptions {
  /** A connected client, shared by every request (no per-request connection set-up). */
  client: Client;
  taskQueue: string;
  /** The `webhook` section of the configuration (parsed here again, so a partial object gets defaults). */
  config: WebhookConfig | WebhookConfigInput;
  log?: (msg: string) => void;
  /** A leveled logger (the process's JSON logger); wins over `log`. */
  logger?: Log;
  /** How SNS certificates are fetched and subscriptions confirmed; `fetch` unless a test injects one. */
  snsHttpGet?: HttpGet;
  /** The Temporal SDK's Prometheus endpoint, whose series /metrics appends (workers/telemetry.ts). */
  sdkMetricsUrl?: string;
}

export interface RunningWebhookServer {
  url: string;
  port: number;
  metrics: WebhookMetrics;
  /** Stops accepting connections and waits for in-flight requests. Safe to call twice. */
  close(): Promise<void>;
}

/** A gRPC failure talking to Temporal (the client's ServiceError, or a raw gRPC status). */
function isTemporalFailure(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | undefined;
  return e?.name === 'ServiceError' || typeof e?.code === 'number' || typeof e?.cause?.code === 'number';
}

/** Each source at `/alerts/<name>`. */
function buildSources(config: WebhookConfig, snsHttpGet?: HttpGet): Map<string, WebhookSource> {
  const tolerance = config.replayWindowSeconds;
  const sources: WebhookSource[] = [
    alertmanagerSource(config.alertmanager),
    grafanaSource(config.grafana, tolerance),
    pagerdutySource(config.pagerduty),
    genericSource(config.generic, tolerance),
    cloudwatchSource(config.cloudwatch, snsHttpGet ? { httpGet: snsHttpGet } : {}),
  ];
  return new Map(sources.map((s) => [s.name, s]));
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<RunningWebhookServer> {
  const config = webhookConfigSchema.parse(opts.config);
  const logger =
    opts.logger ?? lineLog(opts.log ?? ((msg: string) => console.error(`[homeostat] webhook: ${msg}`)));
  // What routes report through ctx.log is trouble (a delivery Temporal did not accept).
  const log = (msg: string): void => logger.warn(msg);
  const sources = buildSources(config, opts.snsHttpGet);
  const metrics = new WebhookMetrics(
    async (query) => {
      const scoped = `WorkflowType="${INCIDENT_WORKFLOW_TYPE}" AND TaskQueue="${opts.taskQueue}" AND ${query}`;
      return (await opts.client.workflow.count(scoped)).count;
    },
    Date.now,
    recentClosedIncidents(opts.client, opts.taskQueue),
  );
  const readSdkMetrics = opts.sdkMetricsUrl ? sdkMetricsReader(opts.sdkMetricsUrl) : undefined;
  const deduper = new DeliveryDeduper<IntakeResult[]>(config.replayWindowSeconds * 1000);
  const operator = createOperator(opts.client, opts.taskQueue, { deadlineMs: config.operatorTimeoutMs });
  const ctx = { client: opts.client, taskQueue: opts.taskQueue, config, deduper, metrics, log, operator };

  /** The `source` label of the request metric: a known alert source, or the endpoint family. */
  function metricLabel(path: string[]): string {
    const [first, second] = path;
    if (first === 'alerts') return sources.has(second ?? '') ? second! : 'unknown';
    if (first === 'incidents' || first === 'safety') return 'operator';
    if (first === 'healthz' || first === 'readyz' || first === 'metrics') return first;
    return 'other';
  }

  async function route(path: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [first, second] = path;
    if (first === 'alerts' && path.length === 2) {
      const source = sources.get(second!);
      if (!source)
        throw new HttpError(
          404,
          'unknown_source',
          `no alert source "${second}"; try ${[...sources.keys()].join(', ')}`,
        );
      return await handleAlertDelivery(source, req, res, ctx);
    }
    if (first === 'incidents') return await handleOperator(path, req, res, ctx);
    if (first === 'safety' && path[1] === 'silences') return await handleSilences(path, req, res, ctx);
    if (first === 'safety') return await handleSafety(path, req, res, ctx);
    if (path.length === 1 && req.method === 'GET') {
      if (first === 'healthz') return handleHealthz(res);
      if (first === 'readyz') return await handleReadyz(res, opts.client, config.retryAfterSeconds);
      if (first === 'metrics')
        return await (readSdkMetrics
          ? handleMetricsWithSdk(res, metrics, readSdkMetrics)
          : handleMetrics(res, metrics));
    }
    throw new HttpError(404, 'not_found', 'no such endpoint');
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
    void route(path, req, res)
      .catch((err: unknown) => {
        if (err instanceof HttpError) return sendError(res, err);
        logger.error(`${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
        // Everything a request can cause is mapped to a 4xx where it happens; what is left is Temporal
        // failing under us (the sender should retry), or a bug here.
        const retryAfter = { 'retry-after': String(config.retryAfterSeconds) };
        sendError(
          res,
          isTemporalFailure(err)
            ? new HttpError(
                503,
                'temporal_unavailable',
                `Temporal did not answer: ${(err as Error).message}`,
                {
                  headers: retryAfter,
                },
              )
            : new HttpError(500, 'internal_error', 'unexpected error; see the server log'),
        );
      })
      .finally(() => {
        metrics.requests.inc({ source: metricLabel(path), status: String(res.statusCode) });
        // A body the handler did not read (e.g. a refused request) is drained, so keep-alive still works.
        if (!req.complete) req.resume();
      });
  });
  // Bound slow or stalled senders: a request must arrive within these.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `port ${config.port} on ${config.host} is already in use (HOMEOSTAT_WEBHOOK_PORT); ` +
                'stop what holds it or choose another port',
            )
          : err,
      );
    server.once('error', fail);
    server.listen({ host: config.host, port: config.port }, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const modes = [...sources.values()].map((s) => `${s.name}=${s.auth}`).join(' ');
  logger.info(
    `listening on http://${host}:${port} (${modes}; operator ${config.operatorToken ? 'on' : 'off'})`,
  );

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    metrics,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      })),
  };
}

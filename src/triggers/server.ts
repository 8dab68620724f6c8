import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { AlertSource } from '../model/alert';
import { webhookConfigSchema, type WebhookConfig, type WebhookConfigInput } from '../model/webhookConfig';
import type { HttpGet } from './auth/snsSignature';
import { DeliveryDeduper } from './deliveryDeduper';
import { HttpError } from './http/errors';
import { sendError } from './http/respond';
import type { IntakeResult } from './intake';
import { WebhookMetrics } from './metrics';
import { handleAlertDelivery } from './routes/alerts';
import { handleHealthz, handleMetrics, handleReadyz } from './routes/health';
import { handleOperator } from './routes/operator';
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
  /** How SNS certificates are fetched and subscriptions confirmed; `fetch` unless a test injects one. */
  snsHttpGet?: HttpGet;
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
  const log = opts.log ?? ((msg: string) => console.error(`[homeostat] webhook: ${msg}`));
  const sources = buildSources(config, opts.snsHttpGet);
  const metrics = new WebhookMetrics();
  const deduper = new DeliveryDeduper<IntakeResult[]>(config.replayWindowSeconds * 1000);
  const ctx = { client: opts.client, taskQueue: opts.taskQueue, config, deduper, metrics, log };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const path = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
    const [first, second] = path;
    if (first === 'alerts' && path.length === 2) {
      const source = sources.get(second!);
      if (!source)
        throw new HttpError(
          404,
          'unknown_source',
          `no alert source "${second}"; try ${[...sources.keys()].join(', ')}`,
        );
      await handleAlertDelivery(source, req, res, ctx);
      return source.name;
    }
    if (first === 'incidents') {
      await handleOperator(path, req, res, ctx);
      return 'operator';
    }
    if (path.length === 1 && req.method === 'GET') {
      if (first === 'healthz') return (handleHealthz(res), 'health');
      if (first === 'readyz')
        return (await handleReadyz(res, opts.client, config.retryAfterSeconds), 'health');
      if (first === 'metrics') return (await handleMetrics(res, metrics), 'metrics');
    }
    throw new HttpError(404, 'not_found', 'no such endpoint');
  }

  const server = createServer((req, res) => {
    let source = 'other';
    void route(req, res)
      .then((s) => (source = s))
      .catch((err: unknown) => {
        const path = (req.url ?? '').split('?')[0]!.split('/');
        if (path[1] === 'alerts' && sources.has(path[2] ?? '')) source = path[2] as AlertSource;
        if (err instanceof HttpError) return sendError(res, err);
        log(`${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
        // Everything a request can cause is mapped to a 4xx above; what is left is Temporal failing
        // under us (the sender should retry), or a bug here.
        sendError(
          res,
          isTemporalFailure(err)
            ? new HttpError(
                503,
                'temporal_unavailable',
                `Temporal did not answer: ${(err as Error).message}`,
                {
                  headers: { 'retry-after': String(config.retryAfterSeconds) },
                },
              )
            : new HttpError(500, 'internal_error', 'unexpected error; see the server log'),
        );
      })
      .finally(() => {
        metrics.requests.inc({ source, status: String(res.statusCode) });
        // A body the handler did not read (e.g. a refused request) is drained, so keep-alive still works.
        if (!req.complete) req.resume();
      });
  });
  // Bound slow or stalled senders: a request must arrive within these.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.host, port: config.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const modes = [...sources.values()].map((s) => `${s.name}=${s.auth}`).join(' ');
  log(`listening on http://${host}:${port} (${modes}; operator ${config.operatorToken ? 'on' : 'off'})`);

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

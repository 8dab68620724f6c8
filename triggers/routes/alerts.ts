import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import type { DeliveryDeduper } from '../deliveryDeduper';
import { readBody, requireMediaType } from '../http/body';
import { HttpError } from '../http/errors';
import { sendJson } from '../http/respond';
import { intake, type IntakeResult } from '../intake';
import type { WebhookMetrics } from '../metrics';
import type { WebhookSource } from '../sources/types';

export interface AlertRouteContext {
  client: Client;
  taskQueue: string;
  config: WebhookConfig;
  deduper: DeliveryDeduper<IntakeResult[]>;
  metrics: WebhookMetrics;
  log: (msg: string) => void;
}

/**
 * POST /alerts/<source>: refuse an unconfigured source, check the content type, read the body within the
 * limit, authenticate and parse (the source), then hand the alerts to Temporal and answer 202 only once
 * it has accepted them. Anything that fails before intake starts nothing.
 */
export async function handleAlertDelivery(
  source: WebhookSource,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: AlertRouteContext,
): Promise<void> {
  const started = performance.now();
  if (req.method !== 'POST')
    throw new HttpError(405, 'method_not_allowed', 'alerts are delivered with POST', {
      headers: { allow: 'POST' },
    });
  if (source.auth === 'unconfigured') {
    throw new HttpError(
      403,
      'source_not_configured',
      `the ${source.name} source has no secret configured: set ${source.secretSetting}, or mark it open explicitly`,
    );
  }
  requireMediaType(req, source.mediaTypes);
  const body = await readBody(req, ctx.config.bodyLimitBytes);
  const outcome = await source.receive({ headers: req.headers, body, now: new Date() });
  if (outcome.kind === 'reply') {
    sendJson(res, outcome.status, outcome.body);
    return;
  }

  // A retry carries the same delivery id (or, for sources without one, the same bytes).
  const deliveryKey = `${source.name}:${outcome.deliveryId ?? createHash('sha256').update(body).digest('hex')}`;
  let results: IntakeResult[];
  let duplicate: boolean;
  try {
    ({ result: results, duplicate } = await ctx.deduper.run(deliveryKey, () =>
      ctx.client.withDeadline(Date.now() + ctx.config.intakeTimeoutMs, () =>
        intake(outcome.alerts, {
          client: ctx.client,
          taskQueue: ctx.taskQueue,
          ...(outcome.deliveryId ? { deliveryId: outcome.deliveryId } : {}),
        }),
      ),
    ));
  } catch (err) {
    ctx.metrics.intakeFailures.inc({ source: source.name });
    ctx.log(
      `${source.name}: Temporal did not accept the delivery, asking the sender to retry: ${(err as Error).message}`,
    );
    throw new HttpError(503, 'temporal_unavailable', 'Temporal did not accept the alerts; retry later', {
      headers: { 'retry-after': String(ctx.config.retryAfterSeconds) },
    });
  }
  ctx.metrics.intakeSeconds.observe({ source: source.name }, (performance.now() - started) / 1000);
  for (const r of results)
    ctx.metrics.alerts.inc({ source: source.name, result: duplicate ? 'duplicate' : r.result }, r.alerts);

  sendJson(res, 202, {
    accepted: outcome.alerts.length,
    duplicate,
    incidents: results.map((r) => ({ id: r.workflowId, key: r.key, result: r.result, alerts: r.alerts })),
  });
}

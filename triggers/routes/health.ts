import type { ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import { sendJson } from '../http/respond';
import type { WebhookMetrics } from '../metrics';

export function handleHealthz(res: ServerResponse): void {
  sendJson(res, 200, { ok: true });
}

/** Ready when Temporal answers its health check: without it no alert can be accepted. */
export async function handleReadyz(
  res: ServerResponse,
  client: Client,
  retryAfterSeconds: number,
): Promise<void> {
  try {
    await client.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
    sendJson(res, 200, { ok: true, temporal: 'reachable' });
  } catch (err) {
    sendJson(
      res,
      503,
      { ok: false, temporal: `unreachable: ${(err as Error).message}` },
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

export async function handleMetrics(res: ServerResponse, metrics: WebhookMetrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, {
    'content-type': metrics.registry.contentType,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

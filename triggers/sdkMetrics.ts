import type { ServerResponse } from 'node:http';
import type { WebhookMetrics } from './metrics';

/** A scrape of /metrics waits no longer than this for the SDK's exporter. */
export const SDK_METRICS_TIMEOUT_MS = 2000;

/**
 * Reads the Temporal SDK's worker metrics from its own Prometheus endpoint (Core serves them on a port
 * of their own), so the webhook's /metrics can carry them next to Homeostat's: one scrape target per
 * deployment. Unreachable or slow, the scrape still answers, with a comment saying why they are missing.
 */
export function sdkMetricsReader(url: string, timeoutMs = SDK_METRICS_TIMEOUT_MS): () => Promise<string> {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return `# Temporal SDK metrics unavailable: ${url} answered ${res.status}\n`;
      const text = await res.text();
      return text.endsWith('\n') || text === '' ? text : `${text}\n`;
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : String(err);
      return `# Temporal SDK metrics unavailable: ${url}: ${reason.replace(/\n/g, ' ')}\n`;
    }
  };
}

/** GET /metrics: Homeostat's registry, then the SDK's series (both Prometheus text format 0.0.4). */
export async function handleMetricsWithSdk(
  res: ServerResponse,
  metrics: WebhookMetrics,
  readSdk: () => Promise<string>,
): Promise<void> {
  const [own, sdk] = await Promise.all([metrics.registry.metrics(), readSdk()]);
  const text = `${own.endsWith('\n') ? own : `${own}\n`}${sdk}`;
  res.writeHead(200, {
    'content-type': metrics.registry.contentType,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

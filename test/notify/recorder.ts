import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP receiver standing in for Slack, PagerDuty or a webhook endpoint: it records every request
 * and answers the first ones from a script (a 500, a 429 with Retry-After…), then `ok`.
 */
export interface Delivery {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the recorder answered. */
  status: number;
}

export interface ScriptedAnswer {
  status: number;
  retryAfter?: string;
}

export interface Recorder {
  url: string;
  deliveries: Delivery[];
  /** Deliveries it accepted (2xx). */
  accepted(): Delivery[];
  close(): Promise<void>;
}

export async function startRecorder(
  opts: { script?: ScriptedAnswer[]; ok?: { status: number; body: string } } = {},
): Promise<Recorder> {
  const script = [...(opts.script ?? [])];
  const ok = opts.ok ?? { status: 200, body: 'ok' };
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = script.shift();
      const status = answer?.status ?? ok.status;
      deliveries.push({
        at: Date.now(),
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        status,
      });
      res.writeHead(status, answer?.retryAfter ? { 'retry-after': answer.retryAfter } : {});
      res.end(answer ? `scripted ${status}` : ok.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    accepted: () => deliveries.filter((d) => d.status >= 200 && d.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

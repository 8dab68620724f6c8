import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HomeostatConfig } from '../core/model/config';
import { configuredNotifiers, webhookNotifierSchema } from '../core/model/notifyConfig';
import { verifyStandardWebhook } from '../triggers/auth/standardWebhooks';
import { HttpError } from '../triggers/http/errors';

/**
 * A small notification receiver for the demo (and anyone trying the generic webhook): it checks the
 * Standard Webhooks signature, keeps each event once by its `webhook-id` (a retried delivery is answered
 * 200 and not kept again), prints one line per event, and lists them at GET /notifications.
 */
export interface ReceivedNotification {
  id: string;
  type: string;
  receivedAt: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface RunningNotificationReceiver {
  /** Where the webhook notifier posts. */
  url: string;
  received(): ReceivedNotification[];
  close(): Promise<void>;
}

/** Events kept for GET /notifications (the newest). */
const KEEP = 500;
const MAX_BODY = 256 * 1024;
/** Standard Webhooks receivers refuse timestamps further than this from now. */
const TOLERANCE_SECONDS = 300;

export async function startNotificationReceiver(opts: {
  secrets: readonly string[];
  host?: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<RunningNotificationReceiver> {
  const kept: ReceivedNotification[] = [];
  const seen = new Set<string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/notifications') return reply(res, 200, { notifications: kept });
    if (req.method !== 'POST')
      return reply(res, 405, { error: 'POST a notification, or GET /notifications' });
    const body = await readBody(req);
    const { id } = verifyStandardWebhook(req.headers, body, opts.secrets, new Date(), TOLERANCE_SECONDS);
    if (seen.has(id)) return reply(res, 200, { duplicate: true });
    const parsed = JSON.parse(body.toString('utf8')) as ReceivedNotification['body'];
    seen.add(id);
    kept.push({ id, type: parsed.type, receivedAt: new Date().toISOString(), body: parsed });
    if (kept.length > KEEP) kept.shift();
    const headline = typeof parsed.data?.headline === 'string' ? parsed.data.headline : parsed.type;
    opts.log?.(`${parsed.type}: ${headline}`);
    reply(res, 200, { ok: true });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 400;
      opts.log?.(`refused a delivery (${status}): ${(err as Error).message}`);
      reply(res, status, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/hooks/homeostat`,
    received: () => [...kept],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'too_large', `body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * `npm start` with no notifier configured: a local receiver, and the generic webhook notifier pointed at
 * it with a fresh secret, so the demo shows what people would be told. Its stop joins `stops`.
 */
export async function withDemoNotificationReceiver(
  cfg: HomeostatConfig,
  stops: Array<() => Promise<void>>,
  log: (line: string) => void,
): Promise<HomeostatConfig> {
  if (configuredNotifiers(cfg.notifications).length > 0) return cfg;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startNotificationReceiver({
    secrets: [secret],
    log: (line) => log(`notification: ${line}`),
  });
  stops.push(() => receiver.close());
  log(
    `notifications: no Slack, PagerDuty or webhook configured; sending signed webhooks to a local receiver at ${receiver.url} (list: ${new URL('/notifications', receiver.url).href})`,
  );
  const webhook = webhookNotifierSchema.parse({ url: receiver.url, secrets: [secret] });
  return { ...cfg, notifications: { ...cfg.notifications, webhook } };
}

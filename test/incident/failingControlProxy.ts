import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the fleet's control API that answers 503 to the POSTs whose action id
 * `refuse` picks, and forwards everything else unchanged: the fleet looks unavailable for one action
 * only, the way a control plane fails for one kind of change, so that action's retries run out while
 * the rest of the incident (its reads, the other steps, the undo) goes through.
 */
export interface FailingControlProxy {
  url: string;
  /** How many requests were refused, per action id. */
  refused: Map<string, number>;
  close(): Promise<void>;
}

export async function startFailingControlProxy(
  target: string,
  refuse: (actionId: string) => boolean,
): Promise<FailingControlProxy> {
  const refused = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const actionId = req.method === 'POST' ? actionIdOf(body) : undefined;
      if (actionId !== undefined && refuse(actionId)) {
        refused.set(actionId, (refused.get(actionId) ?? 0) + 1);
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'injected by the test: the control plane is unavailable' }));
        return;
      }
      forward(target, req, body).then(
        ({ status, text }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: `proxy: ${(err as Error).message}` }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function actionIdOf(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString()) as { actionId?: unknown }).actionId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

async function forward(
  target: string,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${target.replace(/\/+$/, '')}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    ...(body.length > 0 ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: response.status, text: await response.text() };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the fleet's control API, for tests that make the control plane misbehave
 * for one action: `intercept` sees each POST's action id and answers with a status to refuse it, or
 * resolves to undefined (when it likes: a test can hold the request) to forward it. Everything that is
 * not an action passes unchanged.
 */
export interface ControlProxy {
  url: string;
  close(): Promise<void>;
}

/** A refusal: the status and error the proxy answers with instead of the fleet. */
export interface Refusal {
  status: number;
  error: string;
}

export async function startControlProxy(
  target: string,
  intercept: (actionId: string) => Promise<Refusal | undefined> | Refusal | undefined,
): Promise<ControlProxy> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const actionId = req.method === 'POST' ? actionIdOf(body) : undefined;
      const answer = (status: number, payload: string): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(payload);
      };
      Promise.resolve(actionId === undefined ? undefined : intercept(actionId))
        .then(async (refusal) =>
          refusal
            ? { status: refusal.status, text: JSON.stringify({ error: refusal.error }) }
            : await forward(target, req, body),
        )
        .then(
          ({ status, text }) => answer(status, text),
          (err: unknown) => answer(502, JSON.stringify({ error: `proxy: ${(err as Error).message}` })),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
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

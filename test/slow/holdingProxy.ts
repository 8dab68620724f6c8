import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the fleet's control API that holds the first POST whose action id `hold`
 * picks until the test lets it go, and forwards everything else unchanged. A held action is one whose
 * activity is running on the worker (its request has arrived) and cannot finish yet: the moment to stop
 * that worker and see what its shutdown does with an action in flight.
 */
export interface HoldingProxy {
  url: string;
  /** Resolves with the action id once a request to hold has arrived. */
  arrived: Promise<string>;
  /** Forwards the held request (and every later one) to the fleet. */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(
  target: string,
  hold: (actionId: string) => boolean,
): Promise<HoldingProxy> {
  let released = false;
  let onRelease: () => void = () => undefined;
  const gate = new Promise<void>((r) => (onRelease = r));
  let onArrived: (actionId: string) => void = () => undefined;
  const arrived = new Promise<string>((r) => (onArrived = r));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const actionId = req.method === 'POST' ? actionIdOf(body) : undefined;
      const held = !released && actionId !== undefined && hold(actionId);
      if (held) onArrived(actionId);
      (held ? gate : Promise.resolve())
        .then(() => forward(target, req, body))
        .then(
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
    arrived,
    release: () => {
      released = true;
      onRelease();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function actionIdOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString()) as { actionId?: unknown };
    return typeof parsed.actionId === 'string' ? parsed.actionId : undefined;
  } catch {
    return undefined;
  }
}

async function forward(
  target: string,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${target}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers: body.length > 0 ? { 'content-type': 'application/json' } : undefined,
    body: body.length > 0 ? body : undefined,
  });
  return { status: response.status, text: await response.text() };
}

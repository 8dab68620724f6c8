import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An authenticating reverse proxy in front of Prometheus, as Prometheus is usually exposed beyond
 * localhost (Prometheus itself checks no bearer tokens): requests under `/prometheus` carrying the
 * expected `authorization` header are forwarded with the prefix stripped; others get 401.
 */
export interface AuthProxy {
  /** The base URL to configure: the proxy's address and its path prefix. */
  url: string;
  close(): Promise<void>;
}

export async function startAuthProxy(target: string, authorization: string): Promise<AuthProxy> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (!path.startsWith('/prometheus/')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (req.headers.authorization !== authorization) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
        return;
      }
      const body = Buffer.concat(chunks);
      fetch(`${target}${path.slice('/prometheus'.length)}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
        ...(body.length > 0 ? { body } : {}),
      })
        .then(async (response) => {
          res.writeHead(response.status, { 'content-type': 'application/json' });
          res.end(await response.text());
        })
        .catch((err: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${(err as Error).message}`);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/prometheus`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

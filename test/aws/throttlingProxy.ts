import { createServer, request, type Server } from 'node:http';
import { freePort } from '../../workers/ports';

/**
 * A loopback HTTP proxy in front of moto that answers the next N requests the way AWS answers a
 * throttled JSON-protocol call (400, ThrottlingException), and forwards everything else to moto
 * unchanged. moto never throttles, so this is the only way to see the SDK's real retry strategy and
 * our error mapping handle throttling; the SDK and moto themselves are untouched.
 */
export interface ThrottlingProxy {
  endpoint: string;
  throttleNext(n: number): void;
  throttled(): number;
  forwarded(): number;
  stop(): Promise<void>;
}

export async function startThrottlingProxy(target: string): Promise<ThrottlingProxy> {
  const upstream = new URL(target);
  let toThrottle = 0;
  let throttled = 0;
  let forwarded = 0;
  const server: Server = createServer((req, res) => {
    if (toThrottle > 0) {
      toThrottle--;
      throttled++;
      req.resume();
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'ThrottlingException',
        'x-amzn-requestid': `throttled-${throttled}`,
      });
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      return;
    }
    forwarded++;
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (err) => res.destroy(err));
    req.pipe(out);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    throttleNext: (n) => void (toThrottle = n),
    throttled: () => throttled,
    forwarded: () => forwarded,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import http from 'node:http';
import type { ErrorCause } from './capacity';
import { ERROR_CAUSES, ERROR_CAUSE_HEADER } from './capacity';
import type { Pool } from './fleetModel';
import { POOLS } from './fleetModel';
import type { ReplicaProcess } from './replicaProcess';

export interface RequestOutcome {
  /** Empty when no target could be chosen (no live replica in the pool). */
  target: string;
  release: string;
  pool: Pool;
  status: number;
  latencyMs: number;
  /** The request's path without the query (`/`, `/catalog`). */
  path: string;
  /** Why it failed, when known: the proxy's own timeout, or the cause the replica named. */
  cause?: ErrorCause;
}

export interface ProxyOptions {
  service: string;
  timeoutMs: number;
  replicas: () => readonly ReplicaProcess[];
  weights: () => Record<Pool, number>;
  /** Extra delay on the network path from the proxy to a pool's replicas (0 when healthy). */
  networkDelayMs: (pool: Pool) => number;
  onOutcome: (outcome: RequestOutcome) => void;
}

function causeOf(headers: http.IncomingHttpHeaders): ErrorCause | undefined {
  const value = headers[ERROR_CAUSE_HEADER];
  return ERROR_CAUSES.find((c) => c === value);
}

/**
 * The load balancer in front of one service's replicas: picks a pool by weight (like weighted target
 * groups), then a healthy replica of that pool round-robin. When no replica of the pool is healthy it
 * fails open to the live ones, as an ALB target group does, so a hung pool shows as timeouts upstream.
 */
export class ServiceProxy {
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  private next = 0;

  constructor(private readonly opts: ProxyOptions) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
  }

  listen(port = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const address = this.server.address();
        resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`);
      });
    });
  }

  close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private pickPool(): Pool | undefined {
    const weights = this.opts.weights();
    const total = POOLS.reduce((sum, p) => sum + Math.max(0, weights[p] ?? 0), 0);
    if (total <= 0) return undefined;
    let roll = Math.random() * total;
    for (const pool of POOLS) {
      roll -= Math.max(0, weights[pool] ?? 0);
      if (roll < 0) return pool;
    }
    return POOLS[0];
  }

  private pickReplica(pool: Pool): ReplicaProcess | undefined {
    const inPool = this.opts.replicas().filter((r) => r.spec.pool === pool && r.alive && r.url);
    const healthy = inPool.filter((r) => r.healthy);
    const candidates = healthy.length > 0 ? healthy : inPool;
    if (candidates.length === 0) return undefined;
    return candidates[this.next++ % candidates.length];
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = performance.now();
    const pool = this.pickPool();
    const replica = pool ? this.pickReplica(pool) : undefined;
    let settled = false;
    const finish = (status: number, body?: string, cause?: ErrorCause): void => {
      if (settled) return;
      settled = true;
      if (body !== undefined && !res.headersSent) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      } else if (body !== undefined) res.destroy(); // failed mid-body: the caller must see it fail too
      this.opts.onOutcome({
        target: replica?.id ?? '',
        release: replica?.spec.release ?? '',
        pool: pool ?? 'primary',
        status,
        latencyMs: performance.now() - started,
        path: (req.url ?? '/').split('?')[0] ?? '/',
        cause,
      });
    };
    if (!replica?.url) {
      req.resume();
      return finish(503, JSON.stringify({ error: `no live replica of ${this.opts.service} in the pool` }));
    }
    const timedOut = (): void =>
      finish(
        504,
        JSON.stringify({ error: `${replica.id} did not answer within ${this.opts.timeoutMs} ms` }),
        'timeout',
      );
    // A slow network path counts against the proxy's timeout like a slow replica does.
    const delay = pool ? this.opts.networkDelayMs(pool) : 0;
    if (delay <= 0) return this.forward(req, res, replica, this.opts.timeoutMs, finish, timedOut);
    if (delay >= this.opts.timeoutMs) {
      req.resume();
      setTimeout(timedOut, this.opts.timeoutMs);
      return;
    }
    setTimeout(() => this.forward(req, res, replica, this.opts.timeoutMs - delay, finish, timedOut), delay);
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    replica: ReplicaProcess,
    timeoutMs: number,
    finish: (status: number, body?: string, cause?: ErrorCause) => void,
    timedOut: () => void,
  ): void {
    const upstream = http.request(
      `${replica.url}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers, agent: this.agent, timeout: timeoutMs },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('end', () => finish(upRes.statusCode ?? 502, undefined, causeOf(upRes.headers)));
        upRes.on('error', () => finish(502));
      },
    );
    upstream.on('timeout', () => {
      upstream.destroy();
      timedOut();
    });
    upstream.on('error', () => finish(502, JSON.stringify({ error: `${replica.id} connection failed` })));
    req.pipe(upstream);
  }
}

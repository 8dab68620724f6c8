/**
 * One replica of a fleet service: a real process serving HTTP on loopback. Compiled to plain JS and run
 * without tsx (see replicaBundle.ts) to keep its memory small. It knows nothing of the control process
 * beyond its environment, a few admin routes the control process calls, and stdin: when the parent goes
 * away (stdin closes) the replica exits, so no replica outlives its fleet.
 *
 * Faults live in this process's memory, so restarting a replica heals them — like in production.
 */
import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCause } from '../capacity';
import { CAPACITY, CATALOG_PATH, CATALOG_SERVICE_TIME_MS, ERROR_CAUSE_HEADER } from '../capacity';
import type { ReplicaFault } from '../faultScenarios';
import { SlotPool } from './slots';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`replica: ${name} is not set`);
  return value;
};

const service = env('FLEET_SERVICE');
const target = env('FLEET_TARGET');
const release = env('FLEET_RELEASE');
const behaviour = JSON.parse(env('FLEET_BEHAVIOUR', '{}')) as { errorRatio?: number; latencyMs?: number };
const downstream = env('FLEET_DOWNSTREAM', '');
const downstreamTimeoutMs = Number(env('FLEET_DOWNSTREAM_TIMEOUT_MS', '2500'));

const registry = new Registry();
registry.setDefaultLabels({ service, target, release });
collectDefaultMetrics({ register: registry });
const requests = new Counter({
  name: 'fleet_http_requests_total',
  help: 'requests served, by status code',
  labelNames: ['code'],
  registers: [registry],
});
const errors = new Counter({
  name: 'fleet_http_errors_total',
  help: 'failed requests',
  registers: [registry],
});
const latency = new Histogram({
  name: 'fleet_http_request_duration_seconds',
  help: 'request latency',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
const queueDepth = new Gauge({
  name: 'fleet_queue_depth',
  help: 'jobs handed to this replica and not yet processed',
  registers: [registry],
});
const cacheErrors = new Counter({
  name: 'fleet_http_cache_errors_total',
  help: 'requests that failed on a corrupt cache entry',
  registers: [registry],
});
new Gauge({
  name: 'fleet_replica_saturation',
  help: 'busy request slots / slots over the last second, 0..1',
  registers: [registry],
  collect() {
    this.set(slots.saturation());
  },
});
const lagGauge = new Gauge({
  name: 'fleet_event_loop_lag_seconds',
  help: 'worst event-loop delay over the last second',
  registers: [registry],
});

// ---- faults --------------------------------------------------------------------------------------
let hung = false;
let failJobsLeft = 0;
/** While an error burst lasts: until when, and the share of requests it fails. */
let burst: { until: number; errorRatio: number } | undefined;
const leaked: Buffer[] = [];
let leakTimer: NodeJS.Timeout | undefined;

function applyFault(fault: ReplicaFault): void {
  switch (fault.kind) {
    case 'hang':
      hung = true;
      break;
    case 'leak': {
      clearInterval(leakTimer);
      const chunk = Math.max(1, Math.round((fault.mbPerSecond * 1024 * 1024) / 10));
      // fill() touches every page, so the leak shows in RSS and not just in address space.
      leakTimer = setInterval(() => leaked.push(Buffer.allocUnsafe(chunk).fill(7)), 100);
      break;
    }
    case 'corrupt-cache':
      for (let i = 0; i < CACHE_KEYS; i++) cache.set(`item-${i}`, { price: NaN, corrupt: true });
      break;
    case 'fail-jobs':
      failJobsLeft = fault.count;
      break;
    case 'error-burst':
      burst = { until: Date.now() + fault.ms, errorRatio: fault.errorRatio };
      break;
  }
}

/** Clears every fault; returns the kinds that were active (a reset replaces a leaker's process). */
function clearFaults(): string[] {
  const active: string[] = [];
  if (hung) active.push('hang');
  if (failJobsLeft > 0) active.push('fail-jobs');
  if (leakTimer !== undefined) active.push('leak');
  if ([...cache.values()].some((e) => e.corrupt)) active.push('corrupt-cache');
  if (burst && burst.until > Date.now()) active.push('error-burst');
  hung = false;
  burst = undefined;
  failJobsLeft = 0;
  clearInterval(leakTimer);
  leakTimer = undefined;
  leaked.length = 0;
  for (const [key, entry] of cache) if (entry.corrupt) cache.delete(key);
  return active;
}

// ---- event-loop lag: drift of a 100 ms timer, worst over the last second -------------------------
const lagSamples: number[] = [];
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  lagSamples.push(Math.max(0, now - lastTick - 100));
  if (lagSamples.length > 10) lagSamples.shift();
  lastTick = now;
  lagGauge.set(Math.max(...lagSamples) / 1000);
}, 100).unref();
const eventLoopLagMs = (): number => Math.round(Math.max(0, ...lagSamples) * 10) / 10;

// ---- the cache: a small product cache, filled from the "source" on a miss ------------------------
const CACHE_KEYS = 20;
const cache = new Map<string, { price: number; corrupt: boolean }>();

// ---- serving ---------------------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function callDownstream(): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(`${downstream}/`, { agent, timeout: downstreamTimeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 502));
      res.on('error', () => resolve(502));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(504);
    });
    req.on('error', () => resolve(502));
  });
}

// ---- request slots: bounded concurrency for the local work of a request (fleet/capacity.ts) -------
const slots = new SlotPool(CAPACITY.slots, CAPACITY.queueWaitMs, CAPACITY.maxQueued);

interface Served {
  code: number;
  body: unknown;
  /** Why it failed, sent to the proxy in the x-fleet-error header. */
  cause?: ErrorCause;
}

/** The local part of a request: a slot for its service time, then the cache. */
async function work(costMs: number): Promise<Served | { key: string; price: number }> {
  if (!(await slots.acquire()))
    return { code: 503, body: { error: `${target} is overloaded` }, cause: 'overload' };
  try {
    await sleep(costMs);
  } finally {
    slots.release();
  }
  const key = `item-${Math.floor(Math.random() * CACHE_KEYS)}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = { price: 10 + key.length, corrupt: false };
    cache.set(key, entry);
  }
  if (entry.corrupt) return { code: 500, body: { error: `corrupt cache entry ${key}` }, cause: 'cache' };
  return { key, price: entry.price };
}

/** `/catalog` reads the cache only; every other path is an order that also calls the dependency. */
async function serve(path: string): Promise<Served> {
  if (behaviour.latencyMs) await sleep(behaviour.latencyMs);
  const catalog = path === CATALOG_PATH;
  const local = await work(catalog ? CATALOG_SERVICE_TIME_MS : CAPACITY.serviceTimeMs);
  if ('code' in local) return local;
  if (behaviour.errorRatio && Math.random() < behaviour.errorRatio)
    return { code: 500, body: { error: `release ${release} failed the request` } };
  if (burst && burst.until > Date.now() && Math.random() < burst.errorRatio)
    return { code: 500, body: { error: `${target}: transient error` } };
  if (downstream && !catalog) {
    const code = await callDownstream();
    if (code === 504) return { code: 504, body: { error: 'dependency timed out' }, cause: 'timeout' };
    if (code >= 400) return { code: 502, body: { error: `dependency answered ${code}` } };
  }
  return { code: 200, body: { service, target, release, item: local.key, price: local.price } };
}

function reply(
  res: http.ServerResponse,
  code: number,
  body: unknown,
  type = 'application/json',
  cause?: ErrorCause,
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    ...(cause ? { [ERROR_CAUSE_HEADER]: cause } : {}),
  });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
}

async function processJobs(jobs: Array<{ id: string }>, costMs: number): Promise<unknown> {
  const done: string[] = [];
  const failed: string[] = [];
  queueDepth.set(jobs.length);
  for (const job of jobs) {
    await sleep(costMs);
    if (failJobsLeft > 0) {
      failJobsLeft--;
      failed.push(job.id);
    } else done.push(job.id);
    queueDepth.dec();
  }
  return { done, failed };
}

async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  // The admin route stays reachable in a hang, so the control process can still reset faults.
  if (req.method === 'POST' && path === '/_fault') {
    const body = await readJson(req);
    const cleared = body.clear ? clearFaults() : [];
    if (body.fault) applyFault(body.fault as ReplicaFault);
    return reply(res, 200, { ok: true, cleared });
  }
  if (hung) return; // never answer: the process lives, the service does not
  if (path === '/healthz') {
    const rssMb = Math.round((process.memoryUsage.rss() / 1048576) * 10) / 10;
    return reply(res, 200, {
      ok: true,
      service,
      target,
      release,
      rssMb,
      eventLoopLagMs: eventLoopLagMs(),
      saturation: slots.saturation(),
      slots: slots.slots,
      queued: slots.queued,
    });
  }
  if (path === '/metrics') return reply(res, 200, await registry.metrics(), registry.contentType);
  if (req.method === 'POST' && path === '/_cache/clear') {
    const cleared = cache.size;
    cache.clear();
    return reply(res, 200, { cleared });
  }
  if (req.method === 'POST' && path === '/_jobs') {
    const body = await readJson(req);
    const jobs = (body.jobs as Array<{ id: string }> | undefined) ?? [];
    return reply(res, 200, await processJobs(jobs, Number(body.costMs ?? 5)));
  }
  const started = performance.now();
  const { code, body, cause } = await serve(path);
  requests.inc({ code: String(code) });
  if (code >= 500) errors.inc();
  if (cause === 'cache') cacheErrors.inc();
  latency.observe((performance.now() - started) / 1000);
  reply(res, code, body, undefined, cause);
}

const server = http.createServer((req, res) => {
  route(req, res).catch((err: unknown) => {
    if (!res.headersSent) reply(res, 500, { error: String(err) });
  });
});
server.keepAliveTimeout = 5_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`READY ${port}\n`);
});

// The parent holds our stdin: when it is gone, so are we (a second guard next to the parent-death signal).
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));

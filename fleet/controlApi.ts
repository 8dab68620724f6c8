import http from 'node:http';
import type { z } from 'zod';
import { clearFault, injectFault } from './faultActions';
import { FAULT_SCENARIOS } from './faultScenarios';
import type { Fleet } from './fleet';
import * as actions from './fleetActions';
import { FleetInputError } from './fleetErrors';
import * as schemas from './controlSchemas';
import { resetFleet } from './resetFleet';
import type { SliceKind } from './seriesStore';

/**
 * How long a mutating call waits for its action to finish before answering 202 (then poll
 * /actions/:id); `?waitMs=` shortens it for callers that report progress while they wait.
 */
const ANSWER_WITHIN_MS = 20_000;

/** A plain-text answer (Prometheus exposition format) instead of JSON. */
class PrometheusText {
  constructor(readonly text: string) {}
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const field = schemas.fieldOf(result.error);
    throw new HttpError(400, `${field}: ${result.error.issues[0]?.message ?? 'invalid'}`, field);
  }
  return result.data;
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, 'body larger than 64 KiB', 'body');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'body is not JSON', 'body');
  }
}

/** Waits briefly for the action so quick ones answer 200 with their result; long ones answer 202. */
async function answer(
  started: actions.Started,
  repeatedBefore: boolean,
  waitMs: number,
): Promise<[number, unknown]> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([started.done, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
  clearTimeout(timer);
  const status = started.entry.status === 'running' ? 202 : 200;
  return [status, { action: started.entry, repeated: repeatedBefore }];
}

/** Whether the body's action id is already in the ledger (checked before the call acts). */
function isRepeat(fleet: Fleet, body: unknown): boolean {
  const id = (body as { actionId?: unknown } | null)?.actionId;
  return typeof id === 'string' && fleet.ledger.get(id) !== undefined;
}

function waitMsOf(query: Record<string, string>): number {
  return Math.min(ANSWER_WITHIN_MS, Math.max(0, Number(query.waitMs ?? ANSWER_WITHIN_MS) || 0));
}

type Handler = (fleet: Fleet, service: string, body: unknown) => actions.Started;

const MUTATIONS: Record<string, Handler> = {
  deploy: (f, s, b) => actions.deploy(f, s, parse(schemas.deployBody, b)),
  rollback: (f, s, b) => actions.rollback(f, s, parse(schemas.rollbackBody, b)),
  restart: (f, s, b) => actions.restart(f, s, parse(schemas.restartBody, b)),
  weights: (f, s, b) => actions.setWeights(f, s, parse(schemas.weightsBody, b)),
  scale: (f, s, b) => actions.scale(f, s, parse(schemas.scaleBody, b)),
  'cache/clear': (f, s, b) => actions.clearCache(f, s, parse(schemas.clearCacheBody, b)),
  'dead-letters/replay': (f, s, b) => actions.replayDeadLetters(f, s, parse(schemas.replayBody, b)),
  faults: (f, s, b) => injectFault(f, s, parse(schemas.faultBody, b)),
  'faults/clear': (f, s, b) => clearFault(f, s, parse(schemas.clearFaultBody, b)),
};

async function route(fleet: Fleet, req: http.IncomingMessage): Promise<[number, unknown]> {
  const url = new URL(req.url ?? '/', 'http://control');
  const query = Object.fromEntries(url.searchParams);
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (req.method === 'POST' && path === '/reset') {
    const body = await readBody(req);
    const repeated = isRepeat(fleet, body);
    return answer(resetFleet(fleet, parse(schemas.resetBody, body)), repeated, waitMsOf(query));
  }
  if (req.method === 'GET') {
    if (path === '/healthz') return [200, { ok: true }];
    if (path === '/metrics') return [200, new PrometheusText(await fleet.prometheus.registry.metrics())];
    if (path === '/faults') return [200, { scenarios: FAULT_SCENARIOS }];
    if (path === '/state')
      return [
        200,
        {
          proxies: fleet.proxyUrls,
          services: Object.fromEntries(Object.keys(fleet.state.services).map((s) => [s, fleet.describe(s)])),
        },
      ];
    if (path === '/actions') {
      const limit = Math.min(1_000, Number(query.limit ?? 100) || 100);
      return [200, { actions: fleet.ledger.recent(limit) }];
    }
    const action = /^\/actions\/([^/]+)$/.exec(path);
    if (action) {
      const entry = fleet.ledger.get(decodeURIComponent(action[1]!));
      if (!entry) throw new HttpError(404, `no action ${action[1]}`, 'actionId');
      return [200, { action: entry }];
    }
  }
  const match = /^\/services\/([^/]+)(?:\/(.+))?$/.exec(path);
  if (!match) throw new HttpError(404, `no route ${req.method} ${path}`, 'path');
  const service = decodeURIComponent(match[1]!);
  const rest = match[2];
  fleet.service(service); // 404 for an unknown service before anything else
  if (req.method === 'GET') {
    if (rest === undefined) return [200, fleet.describe(service)];
    if (rest === 'deployments') {
      const q = parse(schemas.deploymentsQuery, query);
      return [200, { deployments: fleet.deployments(service, q.since ?? 0) }];
    }
    if (rest === 'series') {
      const q = parse(schemas.seriesQuery, query);
      const kinds = new Set<SliceKind>(['service']);
      if (q.byRelease) kinds.add('release');
      if (q.byTarget) kinds.add('target');
      if (q.byPool) kinds.add('pool');
      const to = q.to ?? Date.now();
      const from = q.from ?? to - 5 * 60_000;
      return [200, { series: fleet.series.query(service, q.metrics, from, to, q.step, kinds) }];
    }
  }
  if (req.method === 'POST' && rest !== undefined && MUTATIONS[rest]) {
    const body = await readBody(req);
    const repeated = isRepeat(fleet, body);
    return answer(MUTATIONS[rest](fleet, service, body), repeated, waitMsOf(query));
  }
  throw new HttpError(404, `no route ${req.method} ${path}`, 'path');
}

export function createControlServer(fleet: Fleet): http.Server {
  return http.createServer((req, res) => {
    route(fleet, req)
      .catch((err: unknown): [number, unknown] => {
        if (err instanceof HttpError) return [err.status, { error: err.message, field: err.field }];
        if (err instanceof FleetInputError) return [err.status, { error: err.message, field: err.field }];
        return [500, { error: err instanceof Error ? err.message : String(err) }];
      })
      .then(([status, body]) => {
        const plain = body instanceof PrometheusText;
        const text = plain ? body.text : JSON.stringify(body);
        res.writeHead(status, {
          'content-type': plain ? 'text/plain; version=0.0.4' : 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      })
      .catch(() => res.destroy());
  });
}

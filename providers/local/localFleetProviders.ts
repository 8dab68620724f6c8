import type {
  ActionOutcome,
  ActionRequest,
  Deployment,
  MetricSeries,
  Providers,
  RemediationProvider,
  SeriesQuery,
  Topology,
} from '../types';
import { sleep, throwIfAborted } from '../abort';
import { ProviderError } from '../types';
import { CONTROL_REQUEST_TIMEOUT_MS, FleetControlClient } from './controlClient';

/** The control API's answers, as far as this adapter reads them. */
interface LedgerEntry {
  id: string;
  kind: string;
  status: 'running' | 'succeeded' | 'failed';
  progress?: string;
  error?: string;
  result?: Omit<ActionOutcome, 'actionId'>;
}
interface ActionReply {
  action: LedgerEntry;
  repeated: boolean;
}

export interface LocalFleetOptions {
  controlUrl: string;
  /** How long an action may take to take effect before it fails (retryable). Default 3 minutes. */
  actionTimeoutMs?: number;
  /** How often a running action is polled (and onProgress called). Default 500 ms. */
  pollMs?: number;
}

const path = (service: string, rest = ''): string => `/services/${encodeURIComponent(service)}${rest}`;

/**
 * Signals, deploy history and remediation for the local fleet (fleet/), over its control API only —
 * exactly as the AWS adapter drives ECS. Every action is ledgered by its id on the fleet side, so a
 * retried call never applies twice; actions resolve once the fleet reports the change took effect.
 */
export function createLocalFleetProviders(options: LocalFleetOptions): Providers {
  const client = new FleetControlClient(options.controlUrl, CONTROL_REQUEST_TIMEOUT_MS);
  const timeoutMs = options.actionTimeoutMs ?? 180_000;
  const pollMs = options.pollMs ?? 500;

  /**
   * Sends the action, then polls its ledger entry until the fleet reports it finished. An abort stops
   * the polling (and the request in flight) at once; the fleet finishes the action on its own, and the
   * same actionId later returns how it ended.
   */
  async function act(kind: string, route: string, req: ActionRequest, body: object): Promise<ActionOutcome> {
    const started = Date.now();
    const first = await client.post<ActionReply>(
      `${path(req.service, route)}?waitMs=${pollMs}`,
      { actionId: req.actionId, ...body },
      req.signal,
    );
    let entry = first.action;
    while (entry.status === 'running') {
      req.onProgress?.(entry.progress ?? `${kind} ${req.actionId} on ${req.service}: in progress`);
      if (Date.now() - started > timeoutMs)
        throw new ProviderError(
          `${kind} ${req.actionId} on ${req.service} did not take effect within ${timeoutMs / 1000} s`,
          'timeout',
          true,
        );
      await sleep(pollMs, req.signal);
      try {
        entry = (await client.get<ActionReply>(`/actions/${encodeURIComponent(req.actionId)}`, req.signal))
          .action;
      } catch (err) {
        throwIfAborted(req.signal);
        // A blip of the control API while we wait: keep waiting until the deadline.
        if (!(err instanceof ProviderError && err.retryable)) throw err;
      }
    }
    if (entry.status === 'failed' || !entry.result)
      throw new ProviderError(
        `${kind} ${req.actionId} on ${req.service} failed: ${entry.error ?? 'no result'}`,
        'action_failed',
        false,
      );
    return {
      actionId: req.actionId,
      applied: first.repeated ? false : entry.result.applied,
      summary: first.repeated ? `already applied: ${entry.result.summary}` : entry.result.summary,
      before: entry.result.before,
      after: entry.result.after,
    };
  }

  const remediation: RemediationProvider = {
    async describe(service: string): Promise<Topology> {
      const t = await client.get<Topology>(path(service));
      return {
        service: t.service,
        targets: t.targets.map(({ id, release, healthy, pool }) => ({ id, release, healthy, pool })),
        weights: t.weights,
        desiredCount: t.desiredCount,
        dependencies: t.dependencies,
        ...(t.healthCheckSeconds !== undefined ? { healthCheckSeconds: t.healthCheckSeconds } : {}),
      };
    },
    setRelease: (req) =>
      act('setRelease', '/deploy', req, {
        release: req.release,
        targets: req.targets,
        by: `homeostat:${req.actionId}`,
      }),
    restart: (req) => act('restart', '/restart', req, { targets: req.targets }),
    setWeights: (req) => act('setWeights', '/weights', req, { weights: req.weights }),
    scale: (req) => act('scale', '/scale', req, { desiredCount: req.desiredCount }),
    clearCache: (req) => act('clearCache', '/cache/clear', req, { targets: req.targets }),
    replayDeadLetters: (req) => act('replayDeadLetters', '/dead-letters/replay', req, { max: req.max }),
  };

  return {
    signals: {
      async series(query: SeriesQuery): Promise<MetricSeries[]> {
        const params = new URLSearchParams({
          metrics: query.metrics.join(','),
          from: String(query.from.getTime()),
          to: String(query.to.getTime()),
          step: String(Math.max(1, Math.round(query.stepSeconds))),
          byRelease: String(query.byRelease ?? false),
          byTarget: String(query.byTarget ?? false),
          // The fleet also slices by pool (timeout_ratio of the primary pool); passed on when asked for.
          byPool: String((query as SeriesQuery & { byPool?: boolean }).byPool ?? false),
        });
        return (await client.get<{ series: MetricSeries[] }>(path(query.service, `/series?${params}`)))
          .series;
      },
    },
    deploys: {
      async deployments(service: string, since: Date): Promise<Deployment[]> {
        const reply = await client.get<{ deployments: Deployment[] }>(
          path(service, `/deployments?since=${since.getTime()}`),
        );
        return reply.deployments;
      },
    },
    remediation,
    // The wait's deadline is checked before each poll: one more poll interval and one GET may follow
    // it, and the first POST (answered after `pollMs`) may take a request timeout of its own.
    maxActionSeconds: (timeoutMs + pollMs + 2 * CONTROL_REQUEST_TIMEOUT_MS) / 1000,
  };
}

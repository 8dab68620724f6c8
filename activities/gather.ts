import { ApplicationFailure, heartbeat, log } from '@temporalio/activity';
import { EVIDENCE_BYTE_BUDGET, fitEvidence } from '../core/diagnosis/evidenceBudget';
import type { Evidence, GatherRequest, ServiceEvidence } from '../core/model/diagnosis';
import type { Topology } from '../core/model/signals';
import { METRIC_NAMES } from '../core/model/signals';
import { providerCall, requireProviders, type ActivityDeps } from './deps';

/** Services gathered per incident at most: enough for a deep call graph, bounded for history size. */
const MAX_SERVICES = 12;
/** Points per series at most; the step grows with the window (1 s for windows up to 150 s). */
const MAX_POINTS_PER_SERIES = 150;
/** Metrics diagnosis reads per target (a leak or a failing replica shows there first). */
const PER_TARGET_METRICS = ['memory_rss_mb', 'error_ratio', 'cache_error_ratio', 'saturation'] as const;

export type { GatherRequest } from '../core/model/diagnosis';

export function gatherActivities(deps: ActivityDeps) {
  return {
    /** Reads topology, metric series (service and per release/target) and deployments of the service and its dependencies. */
    async gatherEvidence(req: GatherRequest): Promise<Evidence> {
      const p = requireProviders(deps);
      const now = Date.now();
      const { recentWindowSeconds, baselineWindowSeconds } = deps.incidents;
      const notBefore = req.notBefore ? Date.parse(req.notBefore) : 0;
      const recentFrom = Math.max(now - recentWindowSeconds * 1000, Math.min(notBefore, now - 2000));
      const baselineFrom = now - (baselineWindowSeconds + recentWindowSeconds) * 1000;
      // Evidence lands in the workflow's history (Temporal refuses payloads over 2 MB and warns past
      // 512 KB): cap the points per series, and ask for per-target slices only where diagnosis uses them.
      const stepSeconds = Math.max(1, Math.ceil((now - baselineFrom) / 1000 / MAX_POINTS_PER_SERIES));
      const window = { from: new Date(baselineFrom), to: new Date(now), stepSeconds };
      const query = async (service: string): Promise<ServiceEvidence['series']> => {
        const [bySlice, byTarget] = await Promise.all([
          providerCall(() =>
            p.signals.series({ service, metrics: METRIC_NAMES, byRelease: true, ...window }),
          ),
          providerCall(() =>
            p.signals.series({ service, metrics: PER_TARGET_METRICS, byTarget: true, ...window }),
          ),
        ]);
        return [...bySlice, ...byTarget.filter((s) => s.labels.target !== undefined)];
      };
      // Breadth first from the alerting service through everything downstream (bounded, no cycles).
      const services: ServiceEvidence[] = [];
      const unknown: Evidence['unknownDependencies'] = [];
      const queue = [req.service];
      while (queue.length > 0 && services.length < MAX_SERVICES) {
        const service = queue.shift()!;
        if (services.some((s) => s.service === service) || unknown.some((u) => u.service === service))
          continue;
        try {
          const topology = await providerCall(() => p.remediation.describe(service));
          const [series, deployments] = await Promise.all([
            query(service),
            providerCall(() => p.deploys.deployments(service, new Date(baselineFrom))),
          ]);
          services.push({ service, topology, series, deployments });
          queue.push(...topology.dependencies);
        } catch (err) {
          // A dependency the target does not know (declared but not mapped) narrows the diagnosis;
          // it must not end the incident. The alerting service itself must be known.
          if (service === req.service || !(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
          unknown.push({ service, reason: err.message });
        }
        heartbeat(service);
      }
      const { evidence, trimmed } = fitEvidence({
        service: req.service,
        gatheredAt: new Date(now).toISOString(),
        baselineFrom: new Date(baselineFrom).toISOString(),
        recentFrom: new Date(recentFrom).toISOString(),
        services,
        ...(unknown.length > 0 ? { unknownDependencies: unknown } : {}),
      });
      if (trimmed) log.warn(`evidence over ${EVIDENCE_BYTE_BUDGET} bytes trimmed: ${trimmed}`);
      return evidence;
    },

    /** The rollback guard's read: what runs where right now. */
    async readTopology(service: string): Promise<Topology> {
      return await providerCall(() => requireProviders(deps).remediation.describe(service));
    },
  };
}

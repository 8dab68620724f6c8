import { heartbeat } from '@temporalio/activity';
import type { Evidence } from '../model/diagnosis';
import type { Topology } from '../model/signals';
import { METRIC_NAMES } from '../model/signals';
import { providerCall, requireProviders, type ActivityDeps } from './deps';

export interface GatherRequest {
  service: string;
  /** The recent window starts no earlier than this (after a change, judge only what came after it). */
  notBefore?: string;
}

export function gatherActivities(deps: ActivityDeps) {
  return {
    /** Reads topology, metric series (service and per release/target), deployments, and each dependency's health. */
    async gatherEvidence(req: GatherRequest): Promise<Evidence> {
      const p = requireProviders(deps);
      const now = Date.now();
      const { recentWindowSeconds, baselineWindowSeconds } = deps.incidents;
      const notBefore = req.notBefore ? Date.parse(req.notBefore) : 0;
      const recentFrom = Math.max(now - recentWindowSeconds * 1000, Math.min(notBefore, now - 2000));
      const baselineFrom = now - (baselineWindowSeconds + recentWindowSeconds) * 1000;
      const query = (service: string) =>
        providerCall(() =>
          p.signals.series({
            service,
            metrics: METRIC_NAMES,
            from: new Date(baselineFrom),
            to: new Date(now),
            stepSeconds: 1,
            byRelease: true,
          }),
        );
      const topology = await providerCall(() => p.remediation.describe(req.service));
      heartbeat('topology');
      const [series, deployments] = await Promise.all([
        query(req.service),
        providerCall(() => p.deploys.deployments(req.service, new Date(baselineFrom))),
      ]);
      const dependencies = await Promise.all(
        topology.dependencies.map(async (service) => ({
          service,
          topology: await providerCall(() => p.remediation.describe(service)),
          series: await query(service),
        })),
      );
      return {
        service: req.service,
        gatheredAt: new Date(now).toISOString(),
        baselineFrom: new Date(baselineFrom).toISOString(),
        recentFrom: new Date(recentFrom).toISOString(),
        topology,
        series,
        deployments,
        dependencies,
      };
    },

    /** The rollback guard's read: what runs where right now. */
    async readTopology(service: string): Promise<Topology> {
      return await providerCall(() => requireProviders(deps).remediation.describe(service));
    },
  };
}

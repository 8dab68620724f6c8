import type { FailureClass } from './incidentState';
import type { Deployment, MetricSeries, Topology } from './signals';

/** What was gathered about one service. */
export interface ServiceEvidence {
  service: string;
  topology: Topology;
  series: MetricSeries[];
  deployments: Deployment[];
}

/**
 * Everything gathered at one moment: the alerting service first, then every service downstream of it
 * (breadth first), so diagnosis can walk the dependency graph to the root cause. Kept in history.
 */
/** What an incident asks gathering for. */
export interface GatherRequest {
  service: string;
  /** The recent window starts no earlier than this (after a change, judge only what came after it). */
  notBefore?: string;
}

export interface Evidence {
  service: string;
  gatheredAt: string;
  /** Start of the "before" window used as the baseline, and the start of the recent window. */
  baselineFrom: string;
  recentFrom: string;
  services: ServiceEvidence[];
  /** Dependencies the target could not describe (e.g. not mapped in its configuration): not diagnosed. */
  unknownDependencies?: Array<{ service: string; reason: string }>;
}

export interface Finding {
  metric: string;
  /** Where: the service, a release, a target or a dependency. */
  scope: string;
  baseline: number;
  recent: number;
  note: string;
}

export interface Diagnosis {
  failureClass: FailureClass;
  /** Service the plan should act on (a dependency when it is the root cause). */
  rootService: string;
  confidence: 'high' | 'medium' | 'low';
  summary: string;
  findings: Finding[];
  /** For bad releases: the suspect and the release to return to. */
  suspectRelease?: string;
  goodRelease?: string;
  /** Who deployed the suspect release; Homeostat never undoes a human's deploy made during the incident. */
  suspectDeployedBy?: string;
  suspectDeployedAt?: string;
  /** Targets showing the failure (unhealthy, leaking, on the suspect release). */
  affectedTargets: string[];
  /** The pre-incident value of the signal that defines health, for relative verify thresholds. */
  baselines: Record<string, number>;
  /** Healthy now: nothing anomalous in the recent window. */
  healthy: boolean;
}

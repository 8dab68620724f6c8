import type { FailureClass } from './incidentState';
import type { Deployment, MetricSeries, Topology } from './signals';

/** Everything gathered about a service at one moment: the input of diagnosis, kept in history. */
export interface Evidence {
  service: string;
  gatheredAt: string;
  /** Start of the "before" window used as the baseline, and the start of the recent window. */
  baselineFrom: string;
  recentFrom: string;
  topology: Topology;
  series: MetricSeries[];
  deployments: Deployment[];
  /** The same for each direct dependency, so a root cause downstream can be named. */
  dependencies: Array<{ service: string; topology: Topology; series: MetricSeries[] }>;
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

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

export type Confidence = 'high' | 'medium' | 'low';

export interface Diagnosis {
  failureClass: FailureClass;
  /** Service the plan should act on (a dependency when it is the root cause). */
  rootService: string;
  /** Derived from `score` (core/diagnosis/score.ts confidenceOf): high ≥ 0.75, medium ≥ 0.5. */
  confidence: Confidence;
  /**
   * The numeric confidence, 0..1: how strong the deciding signals are against their baselines, how many
   * agree, and whether a per-release or per-target split isolates the fault. Always set by diagnose();
   * optional only because diagnoses recorded in histories before it existed lack it.
   */
  score?: number;
  /**
   * Plain-word sentences behind the verdict: which signal, where, its recent value, its baseline value
   * and what that baseline is; also what was ruled out. Always set by diagnose() (see `score`).
   */
  evidence?: string[];
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

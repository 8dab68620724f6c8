import type { Diagnosis, Finding, ServiceEvidence } from '../model/diagnosis';
import type { Deployment } from '../model/signals';
import type { Judged, Windows } from './windows';

/** What the rules on the root service read: the root, the windows and what the walk found. */
export interface RootContext {
  root: ServiceEvidence;
  w: Windows;
  /** "payments (root cause of checkout → payments)", or the root's name when it is the alerting service. */
  where: string;
  viaDependency: boolean;
  chain: string;
  /** Findings so far (the walk's); a rule that matches adds its own. */
  findings: Finding[];
  /** Sentences so far (why the walk went down); a rule that matches adds its own. */
  evidence: string[];
  /** The root's error ratio and p95 latency against their baselines, and in the window's tail. */
  errors: Judged;
  latency: Judged;
  /** A recent deploy the release rule looked at and did not blame (its release is healthy). */
  unblamedDeploy?: Deployment;
}

/** A rule's answer; diagnose() adds the root, the findings and the confidence read from the score. */
export type Verdict = Omit<
  Diagnosis,
  | 'rootService'
  | 'confidence'
  | 'findings'
  | 'healthy'
  | 'affectedTargets'
  | 'baselines'
  | 'score'
  | 'evidence'
> & {
  score: number;
  /** This rule's sentences, after the walk's. */
  evidence: string[];
  affectedTargets?: string[];
  /** Added to the root's error_ratio baseline (verify thresholds read them). */
  baselines?: Record<string, number>;
  healthy?: boolean;
};

/** A rule: a verdict when its pattern is there, undefined to let the next rule look. */
export type Rule = (ctx: RootContext) => Verdict | undefined;
